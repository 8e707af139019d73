//! What a batch of changes writes, worked out in memory from what is stored: the new
//! rows, the versions closed and the rows moved to history, and what each change did.
//! Changes are planned in order, each seeing what the earlier ones did.

use std::collections::{BTreeSet, HashMap};

use chrono::{NaiveDateTime, TimeDelta};
use customer_domain::{
    ContactDetails, CustomerChange, CustomerDocument, PendingChange, VersionStamp, WriteOutcome,
    WriteRefusal,
};

use super::rows::{
    ContactRow, CustomerRow, ReferenceHistoryRow, ReferenceRow, contact_row, details_of_row,
    same_profile, version_row,
};
use crate::records::{ContactHistoryRecord, VersionRecord};

/// What is stored of one customer before the batch.
#[derive(Debug, Default)]
pub(super) struct Stored {
    /// Whether the `customers` row exists.
    pub exists: bool,
    pub current: Option<VersionRecord>,
    /// The number of its latest version; 0 when it has none.
    pub last_number: i32,
    /// When its latest version ended, when it did.
    pub last_end: Option<NaiveDateTime>,
    pub contacts: Vec<ContactRow>,
    pub references: Vec<ReferenceRow>,
    /// Its closed versions begun by the latest effective time the batch names: a change
    /// already true at its time (a file imported again) finds its version there.
    pub earlier: Vec<VersionRecord>,
}

/// The next free ids of one company's rows.
#[derive(Debug, Clone, Copy)]
pub(super) struct NextIds {
    pub version: i64,
    pub contact: i64,
    pub reference: i64,
}

/// Where a row of the working state is: stored before the batch, or to be inserted (its
/// index in the plan's list of new rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Stored,
    New(usize),
}

#[derive(Debug)]
struct Working {
    exists: bool,
    current: Option<(VersionRecord, Place)>,
    last_number: i32,
    last_end: Option<NaiveDateTime>,
    contacts: Vec<(ContactRow, Place)>,
    references: Vec<(ReferenceRow, Place)>,
    earlier: Vec<VersionRecord>,
}

impl From<Stored> for Working {
    fn from(stored: Stored) -> Self {
        Self {
            exists: stored.exists,
            current: stored.current.map(|version| (version, Place::Stored)),
            last_number: stored.last_number,
            last_end: stored.last_end,
            contacts: stored
                .contacts
                .into_iter()
                .map(|row| (row, Place::Stored))
                .collect(),
            references: stored
                .references
                .into_iter()
                .map(|row| (row, Place::Stored))
                .collect(),
            earlier: stored.earlier,
        }
    }
}

/// What a batch writes, and what each change did.
#[derive(Debug, Default)]
pub(super) struct Plan {
    pub outcomes: Vec<WriteOutcome>,
    pub new_customers: Vec<CustomerRow>,
    /// Stored versions to close: company, customer, number, end.
    pub closings: Vec<(i32, i64, i32, NaiveDateTime)>,
    pub new_versions: Vec<VersionRecord>,
    /// Stored contacts moved to history: company, contact id.
    pub retired_contacts: Vec<(i32, i64)>,
    /// `None`: added and removed again within the batch (it is in history).
    pub new_contacts: Vec<Option<ContactRow>>,
    pub contact_history: Vec<ContactHistoryRecord>,
    /// Stored references moved to history: company, reference id.
    pub retired_references: Vec<(i32, i64)>,
    pub new_references: Vec<Option<ReferenceRow>>,
    pub reference_history: Vec<ReferenceHistoryRow>,
}

/// The least time between two versions that no change dated: a microsecond, the
/// precision of stored times.
const TICK: TimeDelta = TimeDelta::microseconds(1);

impl Plan {
    /// Plans `changes` over `stored` (by company and customer id), at `now` (a stored
    /// local time, to the microsecond), with ids from `next_ids` (by company).
    pub(super) fn build(
        changes: Vec<PendingChange>,
        stored: HashMap<(i32, i64), Stored>,
        mut next_ids: HashMap<i32, NextIds>,
        now: NaiveDateTime,
    ) -> Self {
        let mut plan = Self::default();
        let mut working: HashMap<(i32, i64), Working> =
            stored.into_iter().map(|(key, s)| (key, s.into())).collect();
        for PendingChange { change, expected } in changes {
            let (company, customer) = change.customer();
            let key = (company.get(), customer.get());
            let state = working
                .entry(key)
                .or_insert_with(|| Stored::default().into());
            let ids = next_ids.entry(key.0).or_insert(NextIds {
                version: 1,
                contact: 1,
                reference: 1,
            });
            let current_number = state.current.as_ref().map(|(v, _)| v.customer_version_id);
            let outcome = match expected {
                Some(expected) if Some(expected) != current_number => {
                    WriteOutcome::Refused(WriteRefusal::VersionMismatch {
                        current: current_number,
                    })
                }
                _ => match change {
                    CustomerChange::Put(document) => plan.put(state, ids, &document, now),
                    CustomerChange::Close { effective, .. } => {
                        plan.close(state, key, effective, now)
                    }
                },
            };
            plan.outcomes.push(outcome);
        }
        plan
    }

    fn put(
        &mut self,
        state: &mut Working,
        ids: &mut NextIds,
        document: &CustomerDocument,
        now: NaiveDateTime,
    ) -> WriteOutcome {
        let (company, customer) = (document.company.get(), document.customer_id.get());
        let candidate = version_row(document, 0, 0, now);
        if let Some((current, _)) = &state.current
            && same_profile(current, &candidate)
            && same_contacts(&state.contacts, &document.contacts)
            && same_references(&state.references, &document.references)
        {
            return WriteOutcome::Unchanged(stamp(current));
        }
        // The latest moment the customer's versions reach: a new version starts after it.
        let floor = match &state.current {
            Some((current, _)) => Some(current.start_date),
            None => state.last_end.map(|end| end - TICK),
        };
        let start = match (document.effective, floor) {
            (Some(at), Some(floor)) if at <= floor => {
                // Already true then: the version valid at that moment holds the same
                // (the version it made, when the file was imported before).
                if let Some(version) = state.earlier.iter().find(|v| {
                    v.start_date <= at
                        && v.end_date.is_none_or(|end| at < end)
                        && same_profile(v, &candidate)
                }) {
                    return WriteOutcome::Unchanged(stamp(version));
                }
                return WriteOutcome::Refused(WriteRefusal::NotAfterCurrent {
                    current_start: state
                        .current
                        .as_ref()
                        .map_or(floor + TICK, |(current, _)| current.start_date),
                });
            }
            (Some(at), _) => at,
            (None, Some(floor)) => now.max(floor + TICK),
            (None, None) => now,
        };
        let number = state.last_number + 1;
        let created = state.current.is_none();
        if let Some((current, place)) = state.current.take() {
            self.close_version(&current, place, start);
        }
        if !state.exists {
            self.new_customers.push(CustomerRow {
                customer_id: customer,
                company_id: company,
            });
            state.exists = true;
        }
        let version = version_row(document, ids.version, number, start);
        ids.version += 1;
        self.new_versions.push(version.clone());
        state.current = Some((version, Place::New(self.new_versions.len() - 1)));
        state.last_number = number;
        self.replace_contacts(state, ids, (company, customer), number, &document.contacts);
        self.replace_references(
            state,
            ids,
            (company, customer),
            number,
            &document.references,
        );
        let stamp = VersionStamp {
            customer_version_id: number,
            start_date: start,
        };
        if created {
            WriteOutcome::Created(stamp)
        } else {
            WriteOutcome::Changed(stamp)
        }
    }

    fn close(
        &mut self,
        state: &mut Working,
        key: (i32, i64),
        effective: Option<NaiveDateTime>,
        now: NaiveDateTime,
    ) -> WriteOutcome {
        // Applied before: a version ended then.
        let closed_then = |state: &Working| {
            let at = effective?;
            state
                .earlier
                .iter()
                .find(|v| v.end_date == Some(at))
                .map(|v| WriteOutcome::Unchanged(stamp(v)))
        };
        let Some((current, place)) = state.current.take() else {
            return closed_then(state).unwrap_or(WriteOutcome::Refused(WriteRefusal::NotFound));
        };
        let end = match effective {
            Some(at) if at <= current.start_date => {
                if let Some(unchanged) = closed_then(state) {
                    state.current = Some((current, place));
                    return unchanged;
                }
                let current_start = current.start_date;
                state.current = Some((current, place));
                return WriteOutcome::Refused(WriteRefusal::NotAfterCurrent { current_start });
            }
            Some(at) => at,
            None => now.max(current.start_date + TICK),
        };
        debug_assert_eq!((current.company_id, current.customer_id), key);
        self.close_version(&current, place, end);
        state.last_end = Some(end);
        WriteOutcome::Closed {
            version: stamp(&current),
            end_date: end,
        }
    }

    fn close_version(&mut self, version: &VersionRecord, place: Place, end: NaiveDateTime) {
        match place {
            Place::Stored => self.closings.push((
                version.company_id,
                version.customer_id,
                version.customer_version_id,
                end,
            )),
            Place::New(index) => self.new_versions[index].end_date = Some(end),
        }
    }

    /// Makes the customer's contacts those of `wanted` from version `number` on: the
    /// held ones that `wanted` has stay, the others move to history, the rest are added.
    fn replace_contacts(
        &mut self,
        state: &mut Working,
        ids: &mut NextIds,
        (company, customer): (i32, i64),
        number: i32,
        wanted: &[ContactDetails],
    ) {
        let mut unmatched: Vec<Option<&ContactDetails>> = wanted.iter().map(Some).collect();
        let mut kept = Vec::with_capacity(wanted.len());
        for (row, place) in std::mem::take(&mut state.contacts) {
            let details = details_of_row(&row);
            let found = unmatched
                .iter_mut()
                .find(|slot| slot.is_some_and(|wanted| *wanted == details));
            if let Some(slot) = found {
                *slot = None;
                kept.push((row, place));
                continue;
            }
            match place {
                Place::Stored => self.retired_contacts.push((company, row.contact_id)),
                Place::New(index) => self.new_contacts[index] = None,
            }
            self.contact_history.push(row.retired(number));
        }
        for details in unmatched.into_iter().flatten() {
            let row = contact_row(company, customer, ids.contact, number, details.clone());
            ids.contact += 1;
            self.new_contacts.push(Some(row.clone()));
            kept.push((row, Place::New(self.new_contacts.len() - 1)));
        }
        state.contacts = kept;
    }

    /// As [`Self::replace_contacts`], for references.
    fn replace_references(
        &mut self,
        state: &mut Working,
        ids: &mut NextIds,
        (company, customer): (i32, i64),
        number: i32,
        wanted: &BTreeSet<customer_domain::ReferenceNumber>,
    ) {
        let mut missing: BTreeSet<&str> = wanted
            .iter()
            .map(customer_domain::ReferenceNumber::as_str)
            .collect();
        let mut kept = Vec::with_capacity(wanted.len());
        for (row, place) in std::mem::take(&mut state.references) {
            if missing.remove(row.reference_no.as_str()) {
                kept.push((row, place));
                continue;
            }
            match place {
                Place::Stored => self.retired_references.push((company, row.reference_id)),
                Place::New(index) => self.new_references[index] = None,
            }
            self.reference_history.push(ReferenceHistoryRow {
                company_id: company,
                customer_id: customer,
                reference_no: row.reference_no,
                since_version: row.since_version,
                until_version: number,
            });
        }
        for reference in missing {
            let row = ReferenceRow {
                reference_id: ids.reference,
                company_id: company,
                customer_id: customer,
                reference_no: reference.to_owned(),
                since_version: number,
            };
            ids.reference += 1;
            self.new_references.push(Some(row.clone()));
            kept.push((row, Place::New(self.new_references.len() - 1)));
        }
        state.references = kept;
    }
}

fn stamp(version: &VersionRecord) -> VersionStamp {
    VersionStamp {
        customer_version_id: version.customer_version_id,
        start_date: version.start_date,
    }
}

/// Whether the held contacts are `wanted`, in any order, duplicates counted.
fn same_contacts(held: &[(ContactRow, Place)], wanted: &[ContactDetails]) -> bool {
    if held.len() != wanted.len() {
        return false;
    }
    let mut unmatched: Vec<Option<&ContactDetails>> = wanted.iter().map(Some).collect();
    held.iter().all(|(row, _)| {
        let details = details_of_row(row);
        unmatched
            .iter_mut()
            .find(|slot| slot.is_some_and(|wanted| *wanted == details))
            .map(|slot| *slot = None)
            .is_some()
    })
}

fn same_references(
    held: &[(ReferenceRow, Place)],
    wanted: &BTreeSet<customer_domain::ReferenceNumber>,
) -> bool {
    held.len() == wanted.len()
        && held
            .iter()
            .all(|(row, _)| wanted.iter().any(|r| r.as_str() == row.reference_no))
}
