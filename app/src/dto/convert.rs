//! Core → wire, server side only: each conversion written once, used by the `/v1` API
//! and the server functions alike.

use super::*;
use chrono::{DateTime, SecondsFormat, Utc};
use roomcal::domain::{Knock, Meeting, Room, User};
use roomcal::services::access::Entered;
use roomcal::services::host_controls::reopen::{EndedMeeting, Reopened};
use roomcal::services::host_controls::HostControls;
use roomcal::services::joining::{Decision, Waiting};
use roomcal::services::participants::{Attendance, HereNow, Participant};
use roomcal::services::room_calendar::CalendarStatus;
use roomcal::services::room_meetings::{JoinHint, ListedKind, ListedMeeting};
use roomcal::services::rooms::RoomView;
use roomcal::sync::FeedTestReport;
use roomcal::Core;

/// An instant on the wire: RFC 3339 in UTC (`…Z`).
pub fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

impl From<roomcal::services::account_settings::SessionInfo> for SessionDto {
    fn from(s: roomcal::services::account_settings::SessionInfo) -> Self {
        SessionDto {
            id: s.id,
            device: s.device,
            created_at: instant(s.created_at),
            last_used_at: instant(s.last_used_at),
            expires_at: instant(s.expires_at),
            current: s.current,
        }
    }
}

impl From<&User> for UserDto {
    fn from(u: &User) -> Self {
        UserDto {
            id: u.id.to_string(),
            email: u.email.to_string(),
            name: u.display_name.to_string(),
        }
    }
}

/// A room as listed for `viewer`, its owner or a co-owner.
pub fn room_summary(core: &Core, room: &Room, viewer: &User) -> RoomSummaryDto {
    RoomSummaryDto {
        id: room.id.to_string(),
        name: room.name.to_string(),
        url: core.room_url(&room.name),
        role: if room.is_owned_by(viewer.id) {
            "owner"
        } else {
            "co_owner"
        }
        .into(),
    }
}

/// A co-owner on the wire.
impl From<roomcal::store::CoOwnerRow> for CoOwnerDto {
    fn from(c: roomcal::store::CoOwnerRow) -> Self {
        CoOwnerDto {
            user_id: c.user_id.to_string(),
            email: c.email,
            name: c.display_name,
            added_at: instant(c.added_at),
        }
    }
}

/// A webhook endpoint on the wire (without its secret).
impl From<roomcal::services::webhooks::EndpointView> for WebhookEndpointDto {
    fn from(v: roomcal::services::webhooks::EndpointView) -> Self {
        let e = v.endpoint;
        let status = match (e.enabled, e.failing_since) {
            (false, _) => "disabled",
            (true, Some(_)) => "failing",
            (true, None) => "ok",
        };
        WebhookEndpointDto {
            id: e.id.to_string(),
            url: v.url_masked,
            events: v
                .events
                .types()
                .iter()
                .map(|t| t.as_str().to_string())
                .collect(),
            enabled: e.enabled,
            owners_system: e.owners_system,
            status: status.into(),
            failing_since: e.failing_since.map(instant),
            disabled_reason: e.disabled_reason,
            created_at: instant(e.created_at),
            secret: None,
        }
    }
}

/// A new (or re-keyed) endpoint on the wire, with its secret this once.
impl From<roomcal::services::webhooks::EndpointWithSecret> for WebhookEndpointDto {
    fn from(made: roomcal::services::webhooks::EndpointWithSecret) -> Self {
        WebhookEndpointDto {
            secret: Some(made.secret),
            ..made.view.into()
        }
    }
}

/// A webhook delivery on the wire.
impl From<roomcal::domain::WebhookDelivery> for WebhookDeliveryDto {
    fn from(d: roomcal::domain::WebhookDelivery) -> Self {
        let pending = d.state == roomcal::domain::DeliveryState::Pending;
        WebhookDeliveryDto {
            id: d.id,
            event_type: d.event_type,
            state: d.state.as_str().into(),
            attempts: d.attempts,
            created_at: instant(d.created_at),
            next_attempt_at: pending.then(|| instant(d.next_attempt_at)),
            last_attempt_at: d.last_attempt_at.map(instant),
            response_status: d.last_status,
            latency_ms: d.last_latency_ms,
            response_body: d.last_response,
            error: d.last_error,
        }
    }
}

/// How people sign in here.
pub fn sign_in_options(core: &Core) -> SignInOptionsDto {
    SignInOptionsDto {
        provider_label: core.oidc.as_ref().map(|o| o.settings.button_label.clone()),
        provider_login_path: core
            .oidc
            .as_ref()
            .map(|_| roomcal::services::oidc::LOGIN_PATH.to_string()),
        local_accounts: core.settings.local_accounts,
    }
}

/// A room page for a viewer.
pub fn room(core: &Core, view: RoomView, viewer_signed_in: bool) -> RoomDto {
    RoomDto {
        id: view.room.id.to_string(),
        url: core.room_url(&view.room.name),
        name: view.room.name.to_string(),
        is_owner: view.audience.is_owner(),
        viewer_signed_in,
        access: view.room.access.as_str().to_string(),
        access_email_domains: view
            .room
            .access_email_domains
            .as_ref()
            .map(|d| d.domains().map(str::to_string).collect())
            .unwrap_or_default(),
        board: board(core, view.board),
    }
}

/// A room's board: its items and the server's clock.
pub fn board(core: &Core, items: Vec<ListedMeeting>) -> RoomBoardDto {
    RoomBoardDto {
        server_now: instant(core.clock.now()),
        meetings: items.into_iter().map(item).collect(),
    }
}

/// An item of a room's list, as the core decided the viewer may see it.
pub fn item(m: ListedMeeting) -> MeetingItem {
    let status = match (m.kind, &m.join) {
        (ListedKind::Active, JoinHint::JoinNow { .. }) => ItemStatus::Running,
        (ListedKind::Active, JoinHint::WaitUntil { .. }) => ItemStatus::Opening,
        _ => ItemStatus::Scheduled,
    };
    let join = match m.join {
        JoinHint::JoinNow { page_path } => JoinHintDto {
            action: JoinAction::JoinNow,
            page_path,
            starts_at: None,
        },
        JoinHint::WaitUntil {
            starts_at,
            page_path,
        } => JoinHintDto {
            action: JoinAction::WaitUntil,
            page_path,
            starts_at: Some(instant(starts_at)),
        },
    };
    MeetingItem {
        kind: match m.kind {
            ListedKind::Active => ItemKind::Active,
            ListedKind::Upcoming => ItemKind::Upcoming,
            ListedKind::Later => ItemKind::Later,
        },
        id: m.id.to_string(),
        title: m.title,
        status,
        start: instant(m.start),
        end: instant(m.end),
        duration_minutes: (m.end - m.start).num_minutes(),
        participants_now: m.participants_now,
        started_at: m.started_at.map(instant),
        running_for_seconds: m.running_for_seconds,
        calendar_event_id: m.calendar_event_id.map(|id| id.to_string()),
        join,
        owner: m.owner.map(|part| OwnerView {
            details: event_details(&part.details),
            present: part.present.into_iter().map(|p| p.display_name).collect(),
            attendance: None,
        }),
    }
}

/// A meeting with its call, for the person going in: `call` is what the access rule
/// (`roomcal::services::access::enter`) handed over, never read from the meeting here.
pub fn call(item: MeetingItem, meeting: &Meeting, call: &Entered) -> MeetingCall {
    MeetingCall {
        meeting: item,
        platform: meeting.platform.clone(),
        participant_url: call.participant_url.clone(),
    }
}

/// An event's details from its stored metadata (the fixed shape of
/// `roomcal::lifecycle::calendar_metadata`).
pub fn event_details(details: &serde_json::Value) -> EventDetails {
    let person = |v: &serde_json::Value| PersonDto {
        name: v.get("name").and_then(|n| n.as_str()).map(str::to_string),
        email: v.get("email").and_then(|n| n.as_str()).map(str::to_string),
        rsvp: Rsvp::parse(v.get("partstat").and_then(|p| p.as_str())),
    };
    let text = |key: &str| {
        details
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let list = |key: &str| {
        details
            .get(key)
            .and_then(|a| a.as_array())
            .map(Vec::as_slice)
            .unwrap_or_default()
    };
    EventDetails {
        description: text("description"),
        location: text("location"),
        organizer: details
            .get("organizer")
            .filter(|o| o.is_object())
            .map(person),
        attendees: list("attendees").iter().map(person).collect(),
        conference_links: list("conference_links")
            .iter()
            .filter_map(|l| l.as_str().map(str::to_string))
            .collect(),
    }
}

/// Who of the invited came.
pub fn attendance(a: Attendance) -> AttendanceDto {
    AttendanceDto {
        invited_here: a.invited_here,
        invited_absent: a.invited_absent,
        here_not_invited: a.here_not_invited,
    }
}

/// The people in a call.
pub fn participants(list: &[Participant]) -> Vec<ParticipantDto> {
    list.iter()
        .map(|p| ParticipantDto {
            display_name: p.display_name.clone(),
            signed_in: p.signed_in,
        })
        .collect()
}

/// Who is in a call, for a meeting page.
pub fn here_now(here: &HereNow) -> HereNowDto {
    HereNowDto {
        count: here.count(),
        names: match here {
            HereNow::Names(list) => Some(participants(list)),
            HereNow::Count(_) => None,
        },
    }
}

/// A calendar status for its owner.
pub fn calendar_status(
    core: &Core,
    room_name: &str,
    s: &CalendarStatus,
    private_feed_url: Option<String>,
) -> CalendarStatusDto {
    CalendarStatusDto {
        room_url: core.room_url(room_name),
        server_now: core.clock.now().to_rfc3339(),
        room_name: room_name.to_string(),
        enabled: s.enabled,
        masked_url: s.masked_url.clone(),
        interval_minutes: s.interval_minutes,
        last_sync: s.last_sync.map(|t| t.to_rfc3339()),
        next_sync: s.next_sync.map(|t| t.to_rfc3339()),
        last_error: s.last_error.clone(),
        upcoming_occurrences: s.upcoming_occurrences,
        last_outcome: s.last_outcome.clone(),
        meeting_errors: s.meeting_errors.clone(),
        private_feed_url,
    }
}

/// What "Test connection" found.
pub fn feed_test(report: FeedTestReport) -> FeedTestDto {
    FeedTestDto {
        events_in_feed: report.events_in_feed,
        events_matching: report.events_matching,
        next: report.next_occurrences.first().map(|o| {
            (
                o.title.clone().unwrap_or_else(|| "(no title)".into()),
                o.start.to_rfc3339(),
            )
        }),
        warnings: report.warnings,
    }
}

/// The waiting page's answer from the one way to join.
pub fn join_outcome(outcome: &Decision) -> JoinDto {
    match outcome {
        Decision::Open { page_path, .. } => JoinDto {
            status: JoinStatus::Join,
            meeting_path: Some(page_path.clone()),
            starts_at: None,
            server_now: None,
            message: None,
            title: None,
        },
        Decision::Waiting(Waiting {
            starts_at,
            server_now,
            title,
            ..
        }) => JoinDto {
            status: JoinStatus::Waiting,
            meeting_path: None,
            starts_at: Some(instant(*starts_at)),
            server_now: Some(instant(*server_now)),
            message: None,
            title: Some(title.clone()),
        },
    }
}

/// The waiting page's answer for a meeting that is over (`message` says how).
pub fn join_ended(message: String) -> JoinDto {
    JoinDto {
        status: JoinStatus::Ended,
        meeting_path: None,
        starts_at: None,
        server_now: None,
        message: Some(message),
        title: None,
    }
}

/// A knock as its guest sees it.
pub fn knock_status(knock: &Knock) -> KnockStatusDto {
    KnockStatusDto {
        knock_id: knock.id.to_string(),
        state: knock.state.as_str().to_string(),
    }
}

/// A knock as the room's owners see it.
pub fn knock(knock: &Knock) -> KnockDto {
    KnockDto {
        id: knock.id.to_string(),
        name: knock.name.clone(),
        state: knock.state.as_str().to_string(),
        created_at: instant(knock.created_at),
    }
}

/// A room's access setting.
pub fn room_access(room: &Room) -> RoomAccessDto {
    RoomAccessDto {
        access: room.access.as_str().to_string(),
        access_email_domains: room
            .access_email_domains
            .as_ref()
            .map(|d| d.domains().map(str::to_string).collect())
            .unwrap_or_default(),
    }
}

/// A running meeting's controls, for the room's owners.
pub fn host_controls(c: &HostControls) -> HostControlsDto {
    HostControlsDto {
        meeting_id: c.meeting_id.to_string(),
        closes_at: instant(c.closes_at),
        extended_minutes: c.extended_minutes,
        max_extend_minutes: c.max_extend_minutes,
        extend_minutes_left: c.extend_minutes_left(),
    }
}

/// What the page of ended meeting of room `room_name` shows.
pub fn ended_meeting(room_name: &str, ended: EndedMeeting) -> EndedMeetingDto {
    EndedMeetingDto {
        message: ended.message,
        can_reopen: ended.can_reopen,
        open_meeting_path: ended
            .open_meeting_id
            .map(|id| format!("/room/{room_name}/{id}")),
        next: ended.next.map(item),
    }
}

/// A reopened meeting of room `room_name`.
pub fn reopened(room_name: &str, reopened: &Reopened) -> ReopenedDto {
    ReopenedDto {
        meeting_id: reopened.meeting.id.to_string(),
        page_path: format!("/room/{room_name}/{}", reopened.meeting.id),
        is_new: reopened.is_new,
    }
}
