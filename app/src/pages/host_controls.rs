//! Host controls on the pages: "End meeting now" and "Keep open 30 minutes longer" for
//! the room's owners next to a running meeting (room page cards and the meeting page),
//! and the page of an ended meeting ("Reopen", or "This meeting has ended" with the
//! room's next meeting). Who sees the buttons is the server's answer
//! (`get_host_controls` is `None` for everyone else).

use crate::dto::{EndedMeetingDto, HostControlsDto};
use crate::server_fns;
use crate::time::{self, PageClock, When, Zone};
use leptos::prelude::*;

/// The minutes of one press of "Keep open 30 minutes longer".
const EXTEND_STEP: u32 = 30;

/// The controls of meeting `meeting_id` in room `room_name`, for its owners; nothing for
/// anyone else (the server's answer).
#[component]
pub fn HostButtons(room_name: String, meeting_id: String) -> impl IntoView {
    let end = ServerAction::<server_fns::EndMeetingNow>::new();
    let extend = ServerAction::<server_fns::ExtendMeeting>::new();
    let (room, meeting) = (room_name.clone(), meeting_id.clone());
    // Asked again after each press; the page around it (the board, the meeting page)
    // follows the room's live stream and renders this anew when the meeting changes.
    let controls = Resource::new(
        move || {
            (
                room.clone(),
                meeting.clone(),
                extend.version().get(),
                end.version().get(),
            )
        },
        |(room, id, _, _)| server_fns::get_host_controls(room, id),
    );
    let error = move || {
        let ended = end.value().get().and_then(|r| r.err());
        let extended = extend.value().get().and_then(|r| r.err());
        extended
            .or(ended)
            .map(|e| e.fields.get("minutes").cloned().unwrap_or(e.message))
    };
    view! {
        <Transition fallback=|| ()>
            {move || controls.get().and_then(|r| r.ok()).flatten().map(|c| {
                let (r1, m1) = (room_name.clone(), meeting_id.clone());
                let (r2, m2) = (room_name.clone(), meeting_id.clone());
                view! {
                    <div class="flex flex-wrap items-center gap-2 mt-2 text-sm" data-testid="host-controls">
                        <button type="button" data-testid="end-meeting"
                            class="rounded bg-red-700 text-white px-3 py-1"
                            on:click=move |_| { end.dispatch(server_fns::EndMeetingNow { room_name: r1.clone(), meeting_id: m1.clone() }); }>
                            "End meeting now"
                        </button>
                        <button type="button" data-testid="extend-meeting"
                            class="rounded border border-slate-400 px-3 py-1"
                            disabled=c.extend_minutes_left < EXTEND_STEP
                            on:click=move |_| { extend.dispatch(server_fns::ExtendMeeting { room_name: r2.clone(), meeting_id: m2.clone(), minutes: EXTEND_STEP }); }>
                            "Keep open 30 minutes longer"
                        </button>
                        <ClosesAt controls=c/>
                        <p role="alert" class="text-red-700 w-full">{error}</p>
                    </div>
                }
            })}
        </Transition>
    }
}

/// "Closes at 11:30 (kept open 30 minutes longer)".
#[component]
fn ClosesAt(controls: HostControlsDto) -> impl IntoView {
    let clock = PageClock::new(time::parse_ms(&controls.closes_at).unwrap_or_default());
    let at = time::parse_ms(&controls.closes_at).unwrap_or_default();
    let extended = controls.extended_minutes;
    let text = move || {
        let zone = clock.zone.get();
        let now = match zone {
            Zone::Utc => at,
            Zone::Local => clock.now_ms.get(),
        };
        let when = time::instant(at, now, zone);
        match extended {
            0 => format!("Closes at {when}"),
            n => format!("Closes at {when} (kept open {n} minutes longer)"),
        }
    };
    view! {
        <span class="text-slate-700" data-testid="closes-at">
            <When at=controls.closes_at.clone() text=Signal::derive(text)/>
        </span>
    }
}

/// The page of ended meeting `meeting_id` of room `room_name`: what happened (`message`,
/// the server's answer to opening it), "Reopen" while its occurrence's scheduled time is
/// on, the reopened meeting if someone did, and the room's next meeting.
#[component]
pub fn EndedMeeting(room_name: String, meeting_id: String, message: String) -> impl IntoView {
    let reopen = ServerAction::<server_fns::ReopenMeeting>::new();
    let (room, meeting) = (room_name.clone(), meeting_id.clone());
    let ended = Resource::new(
        move || (room.clone(), meeting.clone()),
        |(room, id)| server_fns::get_ended_meeting(room, id),
    );
    // Reopened: go to the new meeting's page.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(Ok(done)) = reopen.value().get() {
            if let Some(window) = web_sys::window() {
                let _ = window.location().assign(&done.page_path);
            }
        }
    });
    let reopen_error = move || {
        reopen
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.message)
    };
    let back = format!("/room/{room_name}");
    view! {
        <section class="py-10" data-testid="meeting-ended">
            <p role="status" class="text-lg mb-4" data-testid="ended-message">{message.clone()}</p>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || ended.get().map(|answer| match answer {
                    Ok(dto) => {
                        let (r, m) = (room_name.clone(), meeting_id.clone());
                        let said = message.clone();
                        view! { <EndedBody dto=dto said=said on_reopen=Callback::new(move |()| { reopen.dispatch(server_fns::ReopenMeeting { room_name: r.clone(), meeting_id: m.clone() }); })/> }.into_any()
                    }
                    Err(_) => ().into_any(),
                })}
            </Transition>
            <p role="alert" class="text-red-700 mb-4" data-testid="reopen-error">{reopen_error}</p>
            <a href=back class="text-indigo-700 underline">"Back to the room"</a>
        </section>
    }
}

/// What the server adds for an ended meeting; `said` is what the page says already.
#[component]
fn EndedBody(dto: EndedMeetingDto, said: String, on_reopen: Callback<()>) -> impl IntoView {
    let next = dto.next.clone().map(|item| {
        let start = time::parse_ms(&item.start).unwrap_or_default();
        let clock = PageClock::new(start);
        let text = move || {
            let zone = clock.zone.get();
            let now = match zone {
                Zone::Utc => start,
                Zone::Local => clock.now_ms.get(),
            };
            time::instant(start, now, zone)
        };
        view! {
            <p class="mb-4" data-testid="next-meeting">
                "Next in this room: "
                <a href=item.join.page_path.clone() class="text-indigo-700 underline">{item.title.clone()}</a>
                " · " <When at=item.start.clone() text=Signal::derive(text)/>
            </p>
        }
    });
    view! {
        {(dto.message != said && !said.starts_with(&dto.message)).then(|| view! {
            <p class="mb-4" data-testid="ended-detail">{dto.message.clone()}</p>
        })}
        {dto.open_meeting_path.clone().map(|path| view! {
            <p class="mb-4"><a href=path class="rounded bg-emerald-700 text-white px-3 py-1" data-testid="join-reopened">"Join the reopened meeting"</a></p>
        })}
        {dto.can_reopen.then(|| view! {
            <p class="mb-4">
                <button type="button" data-testid="reopen-meeting"
                    class="rounded bg-indigo-700 text-white px-3 py-1"
                    on:click=move |_| on_reopen.run(())>
                    "Reopen"
                </button>
                <span class="text-slate-600 text-sm ml-2">"Its scheduled time is still on: start it again, with a new call."</span>
            </p>
        })}
        {next}
    }
}
