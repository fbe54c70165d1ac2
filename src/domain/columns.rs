//! Enums kept as enums all the way to the row: each is stored as its text (the same
//! strings as before) through one generic sqlx impl, for both databases.

use super::access::{KnockState, RoomAccess};
use crate::lifecycle::{CloseReason, DeactivateReason, PrivacyClass};

/// Why a stored meeting closed: a close rule of the lifecycle, or a calendar change that
/// left its occurrence without a call. Stored as `grace_period_over`, `calendar_cancelled`, ….
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClosedBecause {
    /// A close rule fired (grace period over, overrun, nobody joined, lifetime over).
    Rule(CloseReason),
    /// Its calendar occurrence was cancelled, removed, or stopped being timed.
    Calendar(DeactivateReason),
    /// One of the room's owners ended it ("End meeting now").
    Host,
}

impl ClosedBecause {
    /// Every reason, in the order of [`ClosedBecause::as_str`] (the metrics start each
    /// `reason` series at zero from this list).
    pub const ALL: [Self; 9] = [
        Self::Rule(CloseReason::CalendarOverrun),
        Self::Rule(CloseReason::NobodyJoined),
        Self::Rule(CloseReason::LifetimeOver),
        Self::Rule(CloseReason::GracePeriodOver),
        Self::Calendar(DeactivateReason::Cancelled),
        Self::Calendar(DeactivateReason::Deleted),
        Self::Calendar(DeactivateReason::Missing),
        Self::Calendar(DeactivateReason::NoLongerTimed),
        Self::Host,
    ];

    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rule(CloseReason::CalendarOverrun) => "calendar_overrun",
            Self::Rule(CloseReason::NobodyJoined) => "nobody_joined",
            Self::Rule(CloseReason::LifetimeOver) => "lifetime_over",
            Self::Rule(CloseReason::GracePeriodOver) => "grace_period_over",
            Self::Calendar(DeactivateReason::Cancelled) => "calendar_cancelled",
            Self::Calendar(DeactivateReason::Deleted) => "calendar_deleted",
            Self::Calendar(DeactivateReason::Missing) => "calendar_missing",
            Self::Calendar(DeactivateReason::NoLongerTimed) => "calendar_no_longer_timed",
            Self::Host => "ended_by_host",
        }
    }

    /// Reads the stored text back.
    pub fn parse(text: &str) -> Result<Self, String> {
        Ok(match text {
            "calendar_overrun" => Self::Rule(CloseReason::CalendarOverrun),
            "nobody_joined" => Self::Rule(CloseReason::NobodyJoined),
            "lifetime_over" => Self::Rule(CloseReason::LifetimeOver),
            "grace_period_over" => Self::Rule(CloseReason::GracePeriodOver),
            "calendar_cancelled" => Self::Calendar(DeactivateReason::Cancelled),
            "calendar_deleted" => Self::Calendar(DeactivateReason::Deleted),
            "calendar_missing" => Self::Calendar(DeactivateReason::Missing),
            "calendar_no_longer_timed" => Self::Calendar(DeactivateReason::NoLongerTimed),
            "ended_by_host" => Self::Host,
            other => return Err(format!("unknown close reason \"{other}\"")),
        })
    }

    /// Whether the meeting ended because its occurrence was cancelled or removed (rather
    /// than having taken place).
    pub fn is_cancellation(self) -> bool {
        matches!(
            self,
            Self::Calendar(
                DeactivateReason::Cancelled | DeactivateReason::Deleted | DeactivateReason::Missing
            )
        )
    }
}

/// Stores a value as its text: `as_str` on the way in, `parse` on the way out.
macro_rules! text_column {
    ($t:ty) => {
        impl<DB: sqlx::Database> sqlx::Type<DB> for $t
        where
            String: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <String as sqlx::Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <String as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $t
        where
            String: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <String as sqlx::Encode<'q, DB>>::encode(self.as_str().to_string(), buf)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $t
        where
            String: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <String as sqlx::Decode<'r, DB>>::decode(value)?;
                Ok(<$t>::parse_stored(&text)?)
            }
        }
    };
}

/// How a stored text becomes the value again.
trait ParseStored: Sized {
    /// The value of a stored text, or why it is not one.
    fn parse_stored(text: &str) -> Result<Self, String>;
}

impl ParseStored for ClosedBecause {
    fn parse_stored(text: &str) -> Result<Self, String> {
        Self::parse(text)
    }
}

/// Stored CLASS values read leniently, as RFC 5545 asks: unknown ones mean PRIVATE.
impl ParseStored for PrivacyClass {
    fn parse_stored(text: &str) -> Result<Self, String> {
        Ok(PrivacyClass::parse(Some(text)))
    }
}

impl ParseStored for RoomAccess {
    fn parse_stored(text: &str) -> Result<Self, String> {
        Self::parse(text)
    }
}

impl ParseStored for super::DeliveryState {
    fn parse_stored(text: &str) -> Result<Self, String> {
        Self::parse(text)
    }
}

impl ParseStored for KnockState {
    fn parse_stored(text: &str) -> Result<Self, String> {
        Self::parse(text)
    }
}

text_column!(ClosedBecause);
text_column!(PrivacyClass);
text_column!(RoomAccess);
text_column!(KnockState);
text_column!(super::DeliveryState);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_close_reason_reads_back_as_itself() {
        for reason in ClosedBecause::ALL {
            assert_eq!(ClosedBecause::parse(reason.as_str()), Ok(reason));
        }
        assert!(ClosedBecause::parse("closed_by_magic").is_err());
        let distinct: std::collections::HashSet<_> =
            ClosedBecause::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(distinct.len(), ClosedBecause::ALL.len());
    }

    #[test]
    fn only_a_cancelled_or_removed_occurrence_counts_as_a_cancellation() {
        assert!(ClosedBecause::Calendar(DeactivateReason::Cancelled).is_cancellation());
        assert!(ClosedBecause::Calendar(DeactivateReason::Missing).is_cancellation());
        assert!(!ClosedBecause::Rule(CloseReason::CalendarOverrun).is_cancellation());
        assert!(!ClosedBecause::Calendar(DeactivateReason::NoLongerTimed).is_cancellation());
    }
}
