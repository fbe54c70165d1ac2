use super::host_controls::{EndedMeeting, HostButtons};
use super::knock::{is_no_entry, KnockList, NoEntry};
use super::room_board::Linked;
use super::{set_status, NotFound};
use crate::dto::HereNowDto;
use crate::server_fns;
use crate::time::{self, PageClock, When, Zone};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/room/<name>/<meeting-id>`: the call, embedded.
#[component]
pub fn MeetingPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("name").unwrap_or_default(),
            p.get("meeting_id").unwrap_or_default(),
        )
    };
    // Asked again while a knock waits for the host: on each change of the room, else
    // every 3 s (crate::live); once admitted, the answer is the call.
    let poll = RwSignal::new(0u32);
    let meeting = Resource::new(
        move || (key(), poll.get()),
        |((name, id), _)| server_fns::get_meeting(name, id),
    );
    #[cfg(feature = "hydrate")]
    let key_untracked = move || {
        let p = params.read_untracked();
        (
            p.get("name").unwrap_or_default(),
            p.get("meeting_id").unwrap_or_default(),
        )
    };
    #[cfg(feature = "hydrate")]
    crate::live::live_refresh(
        params.read_untracked().get("name").unwrap_or_default(),
        std::time::Duration::from_secs(3),
        move || {
            let waiting =
                meeting.with_untracked(|m| matches!(m, Some(Err(e)) if e.code == "knock_pending"));
            if waiting {
                poll.update(|p| *p += 1);
            }
            // In the call: ask whether it is still open (yes or no, without reloading the
            // call); once it closed, ask for the page again, which says "ended".
            if meeting.with_untracked(|m| matches!(m, Some(Ok(_)))) {
                let (name, id) = key_untracked();
                leptos::task::spawn_local(async move {
                    if let Ok(false) = server_fns::meeting_is_open(name, id).await {
                        let _ = poll.try_update(|p| *p += 1);
                    }
                });
            }
        },
    );
    let knocked = Callback::new(move |()| poll.update(|p| *p += 1));
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                meeting.get().map(|result| match result {
                    Ok(m) => {
                        let room_name = key().0;
                        view! {
                        <div class="flex items-center justify-between mb-3">
                            <a href=format!("/room/{room_name}") class="text-indigo-700 underline">
                                "← " {room_name.clone()}
                            </a>
                            <a href=m.participant_url.clone() target="_blank" rel="noopener" class="text-sm text-slate-600 underline">
                                "Open the call in a new tab"
                            </a>
                        </div>
                        <Presence meeting_id=m.meeting.id.clone()/>
                        <h1 class="text-xl font-semibold mb-2" data-testid="meeting-title">{m.meeting.title.clone()}</h1>
                        <HostButtons room_name=room_name.clone() meeting_id=m.meeting.id.clone()/>
                        <KnockList room_name=room_name.clone() meeting_id=m.meeting.id.clone()/>
                        <HostView room_name=room_name meeting_id=m.meeting.id.clone()/>
                        <iframe
                            data-testid="call"
                            title="Video call"
                            src=m.participant_url.clone()
                            allow="camera; microphone; fullscreen; display-capture; autoplay"
                            class="w-full h-[70vh] rounded border border-slate-300 bg-black"
                        ></iframe>
                    }.into_any()
                    }
                    Err(e) if e.status == 404 => view! { <NotFound message=e.message/> }.into_any(),
                    Err(e) if e.status == 410 => {
                        set_status(e.status);
                        let (room_name, meeting_id) = key();
                        view! { <EndedMeeting room_name=room_name meeting_id=meeting_id message=e.message/> }.into_any()
                    }
                    Err(e) if is_no_entry(&e) => {
                        set_status(e.status);
                        let (room_name, meeting_id) = key();
                        view! { <NoEntry error=e room_name=room_name meeting_id=meeting_id knocked=knocked/> }.into_any()
                    }
                    Err(e) => {
                        set_status(e.status);
                        view! {
                            <section class="py-10" data-testid="meeting-error">
                                <p role="alert" class="text-lg mb-4">{e.message}</p>
                                <a href=format!("/room/{}", key().0) class="text-indigo-700 underline">"Back to the room"</a>
                            </section>
                        }.into_any()
                    }
                })
            }}
        </Transition>
    }
}

/// Announces this page's presence: join now, a heartbeat every 15 s, leave on close
/// (a beacon, which survives the page unloading) or when navigating away. Each answer says
/// who is in the call, shown as "Here now": the names for the room's owner, how many
/// people for everyone else.
#[component]
fn Presence(meeting_id: String) -> impl IntoView {
    let here = RwSignal::new(HereNowDto::default());
    #[cfg(feature = "hydrate")]
    {
        use leptos::task::spawn_local;
        let participant = random_id();
        let announce = {
            let (meeting_id, participant) = (meeting_id.clone(), participant.clone());
            move |event: &'static str| {
                let (m, p) = (meeting_id.clone(), participant.clone());
                spawn_local(async move {
                    match server_fns::announce_presence(m, p, event.into()).await {
                        Ok(answer) if event != "leave" => {
                            here.try_set(answer);
                        }
                        // The meeting closed while the page was open: show the page that
                        // says so (rendered by the server) instead of a dead call.
                        Err(e) if e.status == 410 && event != "leave" => {
                            if let Some(window) = web_sys::window() {
                                let _ = window.location().reload();
                            }
                        }
                        _ => {}
                    }
                });
            }
        };
        announce("join");
        let beat = announce.clone();
        let interval = set_interval_with_handle(
            move || beat("heartbeat"),
            std::time::Duration::from_secs(15),
        )
        .ok();
        let url = format!("/v1/meetings/{meeting_id}/presence");
        let body = format!(r#"{{"participant_id":"{participant}","event":"leave"}}"#);
        let send_leave = move || {
            if let Some(window) = web_sys::window() {
                let _ = window
                    .navigator()
                    .send_beacon_with_opt_str(&url, Some(&body));
            }
        };
        let on_hide = send_leave.clone();
        let listener = window_event_listener(leptos::ev::pagehide, move |_| on_hide());
        on_cleanup(move || {
            if let Some(handle) = interval {
                handle.clear();
            }
            listener.remove();
            send_leave();
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = meeting_id;
    let text = move || here.with(here_now_text);
    view! {
        <p class="text-sm text-slate-600 mb-2" data-testid="here-now">
            {text}
        </p>
    }
}

/// "Here now: Ada, Guest" for the owner, "Here now: 2 people" for everyone else; nothing
/// while nobody is counted yet.
fn here_now_text(here: &HereNowDto) -> Option<String> {
    match &here.names {
        Some(names) if !names.is_empty() => Some(format!(
            "Here now: {}",
            names
                .iter()
                .map(|p| p.display_name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Some(_) => None,
        None => match here.count {
            0 => None,
            1 => Some("Here now: 1 person".into()),
            n => Some(format!("Here now: {n} people")),
        },
    }
}

/// 16 random hex digits identifying this open page.
#[cfg(feature = "hydrate")]
fn random_id() -> String {
    (0..4)
        .map(|_| format!("{:04x}", (js_sys::Math::random() * 65536.0) as u32))
        .collect()
}

/// The owner's view next to the call: when, organizer, description, and the invitation
/// list against who is here (asked again on each change, see [`crate::live`]). Others
/// get nothing here: the server answers `None` for them.
#[component]
fn HostView(room_name: String, meeting_id: String) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    let live_room = room_name.clone();
    let poll = RwSignal::new(0u32);
    let view_of = Resource::new(
        move || (room_name.clone(), meeting_id.clone(), poll.get()),
        |(room, id, _)| server_fns::get_meeting_host_view(room, id),
    );
    // Asked again when the room's live stream says it changed, else every 5 s
    // (crate::live). Only the owner has anything to refresh; everyone else was told
    // `None` once.
    #[cfg(feature = "hydrate")]
    crate::live::live_refresh(live_room, std::time::Duration::from_secs(5), move || {
        if view_of.with_untracked(|v| !matches!(v, Some(Ok(None)))) {
            poll.update(|p| *p += 1);
        }
    });
    let clock = PageClock::new(0);
    view! {
        <Transition fallback=|| ()>
            {move || view_of.get().and_then(|r| r.ok()).flatten().and_then(|item| {
                let owner = item.owner?;
                let (start, end) = (
                    time::parse_ms(&item.start).unwrap_or_default(),
                    time::parse_ms(&item.end).unwrap_or_default(),
                );
                let came = owner.attendance.unwrap_or_default();
                let when = move || {
                    let now = match clock.zone.get() {
                        Zone::Utc => start,
                        Zone::Local => clock.now_ms.get(),
                    };
                    format!("{} · {}", time::span(start, end, now, clock.zone.get()), time::duration_words(end - start))
                };
                let list = |title: &'static str, testid: &'static str, names: Vec<String>| view! {
                    <div>
                        <h3 class="font-medium">{format!("{title} ({})", names.len())}</h3>
                        <p data-testid=testid>{if names.is_empty() { "—".to_string() } else { names.join(", ") }}</p>
                    </div>
                };
                Some(view! {
                    <section class="mb-3 bg-white border border-slate-200 rounded p-3 text-sm space-y-2" data-testid="meeting-host-view">
                        <p data-testid="meeting-when"><When at=item.start.clone() text=Signal::derive(when)/></p>
                        {owner.details.organizer.clone().map(|o| view! {
                            <p><span class="text-slate-700">"Organizer: "</span>{o.label()}</p>
                        })}
                        {owner.details.description.clone().map(|d| view! {
                            <p class="whitespace-pre-line break-words" data-testid="meeting-description"><Linked text=d/></p>
                        })}
                        <div class="grid grid-cols-1 sm:grid-cols-3 gap-2">
                            {list("Invited and here", "invited-here", came.invited_here)}
                            {list("Invited, not here", "invited-absent", came.invited_absent)}
                            {list("Here, not invited", "here-not-invited", came.here_not_invited)}
                        </div>
                    </section>
                })
            })}
        </Transition>
    }
}
