//! The writes of one calendar sync, as the store applies them: in one transaction.
//! [`crate::sync`] works out the plan; the store only carries it out.

use crate::domain::CalendarEvent;
use uuid::Uuid;

/// The writes one sync makes, all applied in one transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncPlan {
    /// New occurrences.
    pub inserts: Vec<CalendarEvent>,
    /// Changed (or restored) occurrences, with their stored ids.
    pub updates: Vec<CalendarEvent>,
    /// Ids of future occurrences gone from the feed: soft-deleted.
    pub soft_deletes: Vec<Uuid>,
    /// How many of `updates` bring back a soft-deleted occurrence.
    pub restored: usize,
}
