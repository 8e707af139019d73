//! Select lists written once per backend.
//!
//! diesel-async writes the whole SQL text of a statement at every execution, before it
//! finds the statement already prepared. For a lookup, most of that work was the select
//! list: 45 quoted, table-qualified columns of a customer version, each quoted through
//! its own allocation. The select lists are written here once per backend, from the
//! records' own `Selectable` definitions.

use std::marker::PhantomData;
use std::sync::LazyLock;

use diesel::backend::Backend;
use diesel::dsl::SqlTypeOf;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryBuilder, QueryFragment, QueryId};
use diesel::sqlite::Sqlite;
use diesel::{QueryResult, Selectable};

use crate::records::{ContactHistoryRecord, ContactRecord, VersionRecord};

/// A record whose select list is written once per backend. Its columns are the same for
/// both backends (as for every derived `Selectable`); the bound says so.
pub(crate) trait WrittenOnce:
    Selectable<Pg> + Selectable<Sqlite, SelectExpression = <Self as Selectable<Pg>>::SelectExpression>
{
    /// The select lists, as diesel writes `Self::as_select()` for each backend.
    fn select_lists() -> &'static SelectLists;
}

/// A record's select list as diesel writes it for each backend.
#[derive(Debug)]
pub(crate) struct SelectLists {
    postgres: String,
    sqlite: String,
}

impl SelectLists {
    fn of<R>() -> Self
    where
        R: Selectable<Pg> + Selectable<Sqlite>,
        <R as Selectable<Pg>>::SelectExpression: QueryFragment<Pg>,
        <R as Selectable<Sqlite>>::SelectExpression: QueryFragment<Sqlite>,
    {
        Self {
            postgres: write::<R, Pg>(),
            sqlite: write::<R, Sqlite>(),
        }
    }
}

/// `R`'s select list for `DB`, written by diesel itself.
fn write<R, DB>() -> String
where
    R: Selectable<DB>,
    R::SelectExpression: QueryFragment<DB>,
    DB: Backend + Default,
    DB::QueryBuilder: Default,
{
    let mut builder = DB::QueryBuilder::default();
    R::construct_selection()
        .to_sql(&mut builder, &DB::default())
        .expect("a list of columns can always be written");
    builder.finish()
}

impl WrittenOnce for VersionRecord {
    fn select_lists() -> &'static SelectLists {
        static LISTS: LazyLock<SelectLists> = LazyLock::new(SelectLists::of::<VersionRecord>);
        &LISTS
    }
}

impl WrittenOnce for ContactRecord {
    fn select_lists() -> &'static SelectLists {
        static LISTS: LazyLock<SelectLists> = LazyLock::new(SelectLists::of::<ContactRecord>);
        &LISTS
    }
}

impl WrittenOnce for ContactHistoryRecord {
    fn select_lists() -> &'static SelectLists {
        static LISTS: LazyLock<SelectLists> =
            LazyLock::new(SelectLists::of::<ContactHistoryRecord>);
        &LISTS
    }
}

/// The SQL type of `R`'s columns (the same for both backends, see [`WrittenOnce`]).
type ColumnsOf<R> = SqlTypeOf<<R as Selectable<Pg>>::SelectExpression>;

/// `R`'s columns, for `.select(...)` on either backend: the same SQL type, checks and
/// text as `R::as_select()`, but written once per backend; rows load into `R` through
/// its `Queryable` implementation, in the same column order.
///
/// Unlike a `diesel::dsl::sql` literal, it keeps the statement's static query id, so the
/// statement is still prepared once per connection and found again by its type.
pub(crate) struct Columns<R>(PhantomData<fn() -> R>);

/// `R`'s columns.
pub(crate) fn columns<R>() -> Columns<R> {
    Columns(PhantomData)
}

impl<R: WrittenOnce> Expression for Columns<R> {
    type SqlType = ColumnsOf<R>;
}

impl<R: WrittenOnce> QueryFragment<Pg> for Columns<R> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(&R::select_lists().postgres);
        Ok(())
    }
}

impl<R: WrittenOnce> QueryFragment<Sqlite> for Columns<R> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql(&R::select_lists().sqlite);
        Ok(())
    }
}

impl<R: 'static> QueryId for Columns<R> {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<R, QS> AppearsOnTable<QS> for Columns<R>
where
    R: WrittenOnce,
    <R as Selectable<Pg>>::SelectExpression: AppearsOnTable<QS>,
{
}

impl<R, QS> SelectableExpression<QS> for Columns<R>
where
    R: WrittenOnce,
    <R as Selectable<Pg>>::SelectExpression: SelectableExpression<QS>,
{
}

impl<R, GB> ValidGrouping<GB> for Columns<R>
where
    R: WrittenOnce,
    <R as Selectable<Pg>>::SelectExpression: ValidGrouping<GB>,
{
    type IsAggregate = <<R as Selectable<Pg>>::SelectExpression as ValidGrouping<GB>>::IsAggregate;
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;

    use super::*;
    use crate::schema::{customer_contacts, customer_versions};

    /// The SQL of `query` for `DB`, as sent.
    fn sql<DB, Q>(query: &Q) -> String
    where
        DB: Backend,
        for<'a> diesel::query_builder::DebugQuery<'a, Q, DB>: std::fmt::Display,
    {
        diesel::debug_query::<DB, _>(query).to_string()
    }

    #[test]
    fn the_written_select_lists_are_those_of_as_select() {
        let versions = customer_versions::table.select(columns::<VersionRecord>());
        let contacts = customer_contacts::table.select(columns::<ContactRecord>());

        let written = sql::<Pg, _>(&versions);
        let by_diesel = sql::<Pg, _>(
            &customer_versions::table.select(<VersionRecord as SelectableHelper<Pg>>::as_select()),
        );
        assert_eq!(written, by_diesel);
        assert!(written.contains("user_active"), "{written}");
        let by_diesel = sql::<Pg, _>(
            &customer_contacts::table.select(<ContactRecord as SelectableHelper<Pg>>::as_select()),
        );
        assert_eq!(sql::<Pg, _>(&contacts), by_diesel);

        let written = sql::<Sqlite, _>(&versions);
        let by_diesel = sql::<Sqlite, _>(
            &customer_versions::table
                .select(<VersionRecord as SelectableHelper<Sqlite>>::as_select()),
        );
        assert_eq!(written, by_diesel);
        assert!(written.contains("user_active"), "{written}");
        let by_diesel = sql::<Sqlite, _>(
            &customer_contacts::table
                .select(<ContactRecord as SelectableHelper<Sqlite>>::as_select()),
        );
        assert_eq!(sql::<Sqlite, _>(&contacts), by_diesel);
    }

    #[test]
    fn statements_with_written_select_lists_keep_a_static_query_id() {
        fn query_id<Q: QueryId>(_: &Q) -> Option<std::any::TypeId> {
            Q::query_id()
        }
        let query = customer_versions::table
            .filter(customer_versions::customer_id.eq(1_i64))
            .select(columns::<VersionRecord>());
        assert!(query_id(&query).is_some(), "prepared once, found by type");
    }
}
