//! Server functions: thin shells that find the signed-in user, call a core use case and
//! map its error. The rules live in the `roomcal` core crate.

use crate::dto::{
    AppError, CalendarStatusDto, HereNowDto, JoinDto, MeetingDto, RoomBoardDto, RoomDto,
    RoomSummaryDto, UserDto,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub mod ssr {
    //! Request helpers for server functions.
    use crate::dto::AppError;
    use http::header::{HeaderValue, COOKIE, SET_COOKIE};
    use leptos::prelude::*;
    use roomcal::domain::User;
    use roomcal::services::accounts::{self, token_from_cookie_header};
    use roomcal::Core;

    /// The core services, provided as context by the server.
    pub fn core() -> Result<Core, AppError> {
        use_context::<Core>().ok_or_else(|| AppError {
            status: 500,
            code: "internal".into(),
            message: "internal error".into(),
            fields: Default::default(),
            retry_after_secs: None,
        })
    }

    /// The session token from the request's cookies.
    pub async fn session_token() -> Option<String> {
        let secure = core().is_ok_and(|core| secure_cookies(&core));
        let headers: http::HeaderMap = leptos_axum::extract().await.ok()?;
        headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|cookie| token_from_cookie_header(cookie, secure))
            .map(str::to_string)
    }

    /// The signed-in user, or "sign in first" (401): the one way server functions that
    /// need an account find out who is asking.
    pub async fn current_user(core: &Core) -> Result<User, AppError> {
        let token = session_token().await;
        Ok(accounts::require_user(core, token.as_deref()).await?)
    }

    /// The signed-in user, if any.
    pub async fn viewer(core: &Core) -> Result<Option<User>, AppError> {
        let token = session_token().await;
        Ok(accounts::current_user(core, token.as_deref()).await?)
    }

    /// The client address the server recorded for this request (for per-client limits).
    pub async fn client_addr() -> roomcal::services::limits::ClientAddr {
        let extensions: Option<http::Extensions> = leptos_axum::extract().await.ok();
        extensions
            .and_then(|e| e.get::<roomcal::services::limits::ClientAddr>().copied())
            .unwrap_or_default()
    }

    /// Adds a `Set-Cookie` header to the response.
    pub fn set_cookie(value: &str) {
        if let (Some(response), Ok(value)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            HeaderValue::from_str(value),
        ) {
            response.append_header(SET_COOKIE, value);
        }
    }

    /// Runs a server function's body; on error, answers with the error's HTTP status
    /// (422, 401, 404, …) instead of the generic 500.
    pub async fn run<T>(
        body: impl std::future::Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        let result = body.await;
        if let Err(err) = &result {
            crate::response::set_status(err.status);
            // A limit's 429 says when to come back, as on /v1.
            if let (Some(secs), Some(response)) = (
                err.retry_after_secs,
                use_context::<leptos_axum::ResponseOptions>(),
            ) {
                response.insert_header(http::header::RETRY_AFTER, HeaderValue::from(secs));
            }
        }
        result
    }

    /// Whether cookies must be marked `Secure` (the site is served over https).
    pub fn secure_cookies(core: &Core) -> bool {
        core.settings.public_url.starts_with("https://")
    }

    /// After signing up or in: set the session cookie and go to "my rooms".
    pub fn signed_in(core: &Core, signed_in: &accounts::SignedIn) {
        set_cookie(&accounts::session_cookie(
            signed_in.token.expose(),
            core.settings.session_lifetime,
            secure_cookies(core),
        ));
        leptos_axum::redirect("/rooms");
    }
}

/// The signed-in user, or `None`.
#[server]
pub async fn get_me() -> Result<Option<UserDto>, AppError> {
    ssr::run(async move {
        let core = ssr::core()?;
        Ok(ssr::viewer(&core).await?.as_ref().map(UserDto::from))
    })
    .await
}

/// Creates an account, signs it in and goes to "my rooms".
#[server]
pub async fn sign_up(email: String, name: String, password: String) -> Result<UserDto, AppError> {
    ssr::run(async move {
        use roomcal::services::accounts;
        let core = ssr::core()?;
        let signed_in = accounts::sign_up(
            &core,
            &accounts::SignUp {
                email,
                name,
                password: password.into(),
            },
            ssr::client_addr().await,
        )
        .await?;
        ssr::signed_in(&core, &signed_in);
        Ok(UserDto::from(&signed_in.user))
    })
    .await
}

/// Signs in and goes to "my rooms".
#[server]
pub async fn sign_in(email: String, password: String) -> Result<UserDto, AppError> {
    ssr::run(async move {
        use roomcal::services::accounts;
        let core = ssr::core()?;
        let client = ssr::client_addr().await;
        let signed_in = accounts::sign_in(&core, &email, &password, client).await?;
        ssr::signed_in(&core, &signed_in);
        Ok(UserDto::from(&signed_in.user))
    })
    .await
}

/// Signs out and goes home.
#[server]
pub async fn sign_out() -> Result<(), AppError> {
    ssr::run(async move {
        use roomcal::services::accounts;
        let core = ssr::core()?;
        if let Some(token) = ssr::session_token().await {
            accounts::sign_out(&core, &token).await?;
        }
        ssr::set_cookie(&accounts::clear_session_cookie(ssr::secure_cookies(&core)));
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

/// The signed-in user's rooms.
#[server]
pub async fn list_my_rooms() -> Result<Vec<RoomSummaryDto>, AppError> {
    ssr::run(async move {
        use roomcal::services::rooms;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let list = rooms::my_rooms(&core, &user).await?;
        Ok(list
            .iter()
            .map(|r| crate::dto::convert::room_summary(&core, r))
            .collect())
    })
    .await
}

/// Creates a room owned by the signed-in user and opens it.
#[server]
pub async fn create_room(name: String) -> Result<RoomSummaryDto, AppError> {
    ssr::run(async move {
        use roomcal::services::rooms;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let room = rooms::create_room(&core, &user, &name).await?;
        leptos_axum::redirect(&format!("/room/{}", room.name));
        Ok(crate::dto::convert::room_summary(&core, &room))
    })
    .await
}

/// A room page for the current viewer.
#[server]
pub async fn get_room(name: String) -> Result<RoomDto, AppError> {
    ssr::run(async move {
        use roomcal::services::rooms;
        let core = ssr::core()?;
        let viewer = ssr::viewer(&core).await?;
        let view = rooms::view_room(&core, viewer.as_ref(), &name).await?;
        Ok(crate::dto::convert::room(&core, &view, viewer.is_some()))
    })
    .await
}

/// A room's board for the current viewer: its active meetings, the occurrences starting
/// within the upcoming window and, for the owner, the rest of the sync window. The room
/// page asks again every few seconds.
#[server]
pub async fn get_room_board(name: String) -> Result<RoomBoardDto, AppError> {
    ssr::run(async move {
        use roomcal::services::room_meetings::{list_meetings, ListQuery};
        let core = ssr::core()?;
        let viewer = ssr::viewer(&core).await?;
        let query = ListQuery {
            active: true,
            upcoming_within: core.settings.lifecycle.upcoming_window,
            later: true,
        };
        let items = list_meetings(&core, viewer.as_ref(), &name, query).await?;
        Ok(RoomBoardDto {
            server_now: core.clock.now().to_rfc3339(),
            cards: items.into_iter().map(crate::dto::convert::card).collect(),
        })
    })
    .await
}

/// The owner's view of a meeting (details, invited vs present); `None` for everyone
/// else, who see the names of the people in the call only.
#[server]
pub async fn get_meeting_host_view(
    room_name: String,
    meeting_id: String,
) -> Result<Option<crate::dto::MeetingHostDto>, AppError> {
    ssr::run(async move {
        use roomcal::services::participants;
        let core = ssr::core()?;
        let Some(user) = ssr::viewer(&core).await? else {
            return Ok(None);
        };
        let room = roomcal::services::room_lookup::find_room(&core, &room_name).await?;
        if room.owner_id != user.id {
            return Ok(None);
        }
        let id =
            roomcal::CoreError::parse_id(&meeting_id, "there is no such meeting in this room")?;
        let meeting = core
            .store
            .meeting_by_id(id)
            .await
            .map_err(roomcal::CoreError::from)?
            .filter(|m| m.room_id == room.id)
            .ok_or_else(|| {
                roomcal::CoreError::NotFound("there is no such meeting in this room".into())
            })?;
        let present = participants::participants_for_owner(&core, &user, &room_name, id).await?;
        let attendance = participants::attendance_for_owner(&core, &user, &room_name, id).await?;
        let details = meeting
            .calendar_metadata
            .as_ref()
            .map(|m| m.0.clone())
            .unwrap_or_default();
        Ok(Some(crate::dto::MeetingHostDto {
            start: meeting.start_time.to_rfc3339(),
            end: meeting.end_time.to_rfc3339(),
            details: crate::dto::convert::host_details(
                &details,
                present.into_iter().map(|p| p.display_name).collect(),
            ),
            invited_here: attendance.invited_here,
            invited_absent: attendance.invited_absent,
            here_not_invited: attendance.here_not_invited,
        }))
    })
    .await
}

/// Starts an unscheduled meeting in a room (signed-in users only).
#[server]
pub async fn start_meeting(room_name: String) -> Result<MeetingDto, AppError> {
    ssr::run(async move {
        use roomcal::services::rooms;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let started = rooms::start_unscheduled_meeting(&core, &user, &room_name).await?;
        Ok(crate::dto::convert::meeting(
            &room_name,
            &started.meeting,
            false,
        ))
    })
    .await
}

/// A meeting, for its page.
#[server]
pub async fn get_meeting(room_name: String, meeting_id: String) -> Result<MeetingDto, AppError> {
    ssr::run(async move {
        use roomcal::services::rooms;
        let core = ssr::core()?;
        let id =
            roomcal::CoreError::parse_id(&meeting_id, "there is no such meeting in this room")?;
        let (room, meeting) = rooms::open_meeting(&core, &room_name, id).await?;
        let owner = ssr::viewer(&core)
            .await?
            .is_some_and(|u| u.id == room.owner_id);
        Ok(crate::dto::convert::meeting(&room.name, &meeting, owner))
    })
    .await
}

/// What opening an upcoming occurrence does now (the waiting page polls this): the same
/// answer as `POST /v1/rooms/{room}/meetings/{id}/join`, an ended or cancelled one as a
/// status with its message.
#[server]
pub async fn join_event(room_name: String, event_id: String) -> Result<JoinDto, AppError> {
    ssr::run(async move {
        let core = ssr::core()?;
        let id = roomcal::CoreError::parse_id(&event_id, "there is no such meeting in this room")?;
        let viewer = ssr::viewer(&core).await?;
        let outcome =
            roomcal::services::room_meetings::join(&core, viewer.as_ref(), &room_name, id).await;
        match outcome {
            Err(roomcal::CoreError::Gone(message)) => Ok(JoinDto {
                status: crate::dto::JoinStatus::Ended,
                meeting_path: None,
                starts_at: None,
                server_now: None,
                message: Some(message),
                title: None,
            }),
            other => Ok(crate::dto::convert::join_outcome(&other?)),
        }
    })
    .await
}

/// A meeting page announces itself: `join`, `heartbeat` or `leave`. The answer says who
/// is in the call: names for the room's owner, the count for everyone else (anyone can
/// announce a page id, so being "in the call" proves nothing).
#[server]
pub async fn announce_presence(
    meeting_id: String,
    participant_id: String,
    event: String,
) -> Result<HereNowDto, AppError> {
    ssr::run(async move {
        use roomcal::services::{joining, participants};
        let core = ssr::core()?;
        let viewer = ssr::viewer(&core).await?;
        let id = roomcal::CoreError::parse_id(&meeting_id, "there is no such meeting")?;
        let event = joining::PresenceEvent::parse(&event)?;
        let client = ssr::client_addr().await;
        let meeting =
            joining::announce_presence(&core, viewer.as_ref(), id, &participant_id, event, client)
                .await?;
        if event == joining::PresenceEvent::Leave {
            return Ok(HereNowDto::default());
        }
        let here = participants::here_now(&core, viewer.as_ref(), &meeting).await?;
        Ok(crate::dto::convert::here_now(&here))
    })
    .await
}

/// The calendar settings and sync state of a room the user owns.
#[server]
pub async fn get_calendar_status(room_name: String) -> Result<CalendarStatusDto, AppError> {
    ssr::run(async move {
        use roomcal::services::room_calendar;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let status = room_calendar::status(&core, &user, &room_name).await?;
        let feed = roomcal::services::room_feed::private_feed_url(&core, &user, &room_name).await?;
        Ok(crate::dto::convert::calendar_status(
            &core,
            &room_name,
            &status,
            Some(feed),
        ))
    })
    .await
}

/// Gives the owner's private room feed a new address; the old one stops working.
#[server]
pub async fn reset_private_feed(room_name: String) -> Result<String, AppError> {
    ssr::run(async move {
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        Ok(roomcal::services::room_feed::reset_private_feed(&core, &user, &room_name).await?)
    })
    .await
}

/// Saves the settings form. An empty address keeps the current one.
#[server]
pub async fn save_calendar_settings(
    room_name: String,
    ics_url: String,
    ics_enabled: Option<String>,
    ics_fetch_interval_minutes: i64,
) -> Result<CalendarStatusDto, AppError> {
    ssr::run(async move {
        use roomcal::services::room_calendar;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let room = roomcal::services::room_lookup::owned_room(&core, &user, &room_name).await?;
        let input = room_calendar::CalendarSettingsInput {
            ics_url: Some(ics_url)
                .filter(|u| !u.trim().is_empty())
                .map(Into::into),
            ics_enabled: Some(ics_enabled.is_some()),
            ics_fetch_interval_minutes: Some(ics_fetch_interval_minutes),
        };
        let status = room_calendar::update_settings(&core, &user, &room, &input).await?;
        Ok(crate::dto::convert::calendar_status(
            &core, &room_name, &status, None,
        ))
    })
    .await
}

/// "Test connection": fetches and reads the calendar at `ics_url` (or, when empty, the
/// saved one) for this room without saving anything.
#[server]
pub async fn test_calendar_connection(
    room_name: String,
    ics_url: String,
) -> Result<crate::dto::FeedTestDto, AppError> {
    ssr::run(async move {
        use roomcal::services::room_calendar;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        let report = if ics_url.trim().is_empty() {
            room_calendar::test_saved_url(&core, &user, &room_name).await?
        } else {
            room_calendar::test_url(&core, &user, &room_name, ics_url.trim()).await?
        };
        Ok(crate::dto::FeedTestDto {
            events_in_feed: report.events_in_feed,
            events_matching: report.events_matching,
            next: report.next_occurrences.first().map(|o| {
                (
                    o.title.clone().unwrap_or_else(|| "(no title)".into()),
                    o.start.to_rfc3339(),
                )
            }),
            warnings: report.warnings,
        })
    })
    .await
}

/// Syncs the room's calendar now; the outcome as JSON.
#[server]
pub async fn sync_calendar_now(room_name: String) -> Result<serde_json::Value, AppError> {
    ssr::run(async move {
        use roomcal::services::room_calendar;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        Ok(room_calendar::sync_now(&core, &user, &room_name)
            .await?
            .to_json())
    })
    .await
}

/// The room's last sync outcomes, newest first.
#[server]
pub async fn get_sync_log(room_name: String) -> Result<Vec<serde_json::Value>, AppError> {
    ssr::run(async move {
        use roomcal::services::room_calendar;
        let core = ssr::core()?;
        let user = ssr::current_user(&core).await?;
        Ok(room_calendar::log(&core, &user, &room_name).await?)
    })
    .await
}
