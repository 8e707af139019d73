//! Select lists written once per backend.
//!
//! diesel-async writes the whole SQL text of a statement at every execution, before it
//! finds the statement already prepared. For a lookup, most of that work was the select
//! list: 44 quoted, table-qualified columns of a customer version, each quoted through
//! its own allocation. The select lists are written here once, from the records' own
//! `Selectable` definitions.

use std::marker::PhantomData;
use std::sync::LazyLock;

use diesel::backend::Backend;
use diesel::dsl::SqlTypeOf;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryBuilder, QueryFragment, QueryId};
use diesel::sqlite::Sqlite;
use diesel::{QueryResult, Selectable};

use crate::records::{ContactRecord, VersionRecord};

/// A record whose select list for `DB` is written once.
pub(crate) trait WrittenOnce<DB: Backend>: Selectable<DB> {
    /// The select list, as diesel writes `Self::as_select()` for `DB`.
    fn select_list() -> &'static str;
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

macro_rules! written_once {
    ($record:ty, $backend:ty) => {
        impl WrittenOnce<$backend> for $record {
            fn select_list() -> &'static str {
                static LIST: LazyLock<String> = LazyLock::new(write::<$record, $backend>);
                &LIST
            }
        }
    };
}
written_once!(VersionRecord, Pg);
written_once!(VersionRecord, Sqlite);
written_once!(ContactRecord, Pg);
written_once!(ContactRecord, Sqlite);

/// The SQL type of `R`'s columns.
pub(crate) type ColumnsOf<R, DB> = SqlTypeOf<<R as Selectable<DB>>::SelectExpression>;

/// `R`'s columns for the backend `DB`, for `.select(...)`: the same SQL type, checks and
/// text as `R::as_select()`, but written once; rows load into `R` through its `Queryable`
/// implementation, in the same column order.
///
/// Unlike a `diesel::dsl::sql` literal, it keeps the statement's static query id, so the
/// statement is still prepared once per connection and found again by its type.
pub(crate) struct Columns<R, DB>(PhantomData<fn() -> (R, DB)>);

/// `R`'s columns, for the backend whose `PhantomData` is given.
pub(crate) fn columns<R, DB>(_backend: PhantomData<DB>) -> Columns<R, DB> {
    Columns(PhantomData)
}

/// The backend of a connection, for [`columns`].
pub(crate) fn backend_of<C: diesel_async::AsyncConnectionCore>(
    _conn: &C,
) -> PhantomData<C::Backend> {
    PhantomData
}

impl<R, DB> Expression for Columns<R, DB>
where
    R: Selectable<DB>,
    DB: Backend,
{
    type SqlType = ColumnsOf<R, DB>;
}

impl<R, DB> QueryFragment<DB> for Columns<R, DB>
where
    R: WrittenOnce<DB>,
    DB: Backend,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(R::select_list());
        Ok(())
    }
}

impl<R: 'static, DB: 'static> QueryId for Columns<R, DB> {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<R, DB, QS> AppearsOnTable<QS> for Columns<R, DB>
where
    R: Selectable<DB>,
    R::SelectExpression: AppearsOnTable<QS>,
    DB: Backend,
{
}

impl<R, DB, QS> SelectableExpression<QS> for Columns<R, DB>
where
    R: Selectable<DB>,
    R::SelectExpression: SelectableExpression<QS>,
    DB: Backend,
{
}

impl<R, DB, GB> ValidGrouping<GB> for Columns<R, DB>
where
    R: Selectable<DB>,
    R::SelectExpression: ValidGrouping<GB>,
    DB: Backend,
{
    type IsAggregate = <R::SelectExpression as ValidGrouping<GB>>::IsAggregate;
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

    macro_rules! same_as_as_select {
        ($backend:ty) => {{
            let written =
                sql::<$backend, _>(
                    &customer_versions::table
                        .select(columns::<VersionRecord, _>(PhantomData::<$backend>)),
                );
            let by_diesel =
                sql::<$backend, _>(&customer_versions::table.select(VersionRecord::as_select()));
            assert_eq!(written, by_diesel);
            assert!(written.contains("user_active"), "{written}");
            let written =
                sql::<$backend, _>(
                    &customer_contacts::table
                        .select(columns::<ContactRecord, _>(PhantomData::<$backend>)),
                );
            let by_diesel =
                sql::<$backend, _>(&customer_contacts::table.select(ContactRecord::as_select()));
            assert_eq!(written, by_diesel);
        }};
    }

    #[test]
    fn the_written_select_lists_are_those_of_as_select() {
        same_as_as_select!(Pg);
        same_as_as_select!(Sqlite);
    }

    #[test]
    fn statements_with_written_select_lists_keep_a_static_query_id() {
        fn query_id<Q: QueryId>(_: &Q) -> Option<std::any::TypeId> {
            Q::query_id()
        }
        let query = customer_versions::table
            .filter(customer_versions::customer_id.eq(1_i64))
            .select(columns::<VersionRecord, _>(PhantomData::<Pg>));
        assert!(query_id(&query).is_some(), "prepared once, found by type");
    }
}
