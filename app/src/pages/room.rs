use super::{set_status, NotFound};
use crate::components::short_time;
use crate::dto::{JoinStatus, MeetingDto, MeetingKindDto, RoomDto, UpcomingDto};
use crate::server_fns;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

/// `/room/<name>`: the room's open meetings, joining, and starting a meeting.
#[component]
pub fn RoomPage() -> impl IntoView {
    let params = use_params_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let room = Resource::new(name, server_fns::get_room);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                room.get()
                    .map(|result| match result {
                        Ok(room) => view! { <RoomView room=room/> }.into_any(),
                        Err(e) if e.status == 404 => view! { <NotFound message=e.message/> }.into_any(),
                        Err(e) => {
                            set_status(e.status);
                            view! { <p role="alert">{e.message}</p> }.into_any()
                        }
                    })
            }}
        </Suspense>
    }
}

#[component]
fn RoomView(room: RoomDto) -> impl IntoView {
    let start = ServerAction::<server_fns::StartMeeting>::new();
    let navigate = use_navigate();
    // Once the meeting exists, move to its page without a page load.
    Effect::new(move |_| {
        if let Some(Ok(meeting)) = start.value().get() {
            navigate(&meeting.page_path, Default::default());
        }
    });
    let room_name = room.name.clone();
    let start_error = move || start.value().get().and_then(|r| r.err()).map(|e| e.message);
    view! {
        <h1 class="text-2xl font-bold mb-1" data-testid="room-name">{room.name.clone()}</h1>
        <p class="text-slate-500 text-sm mb-6">{room.url.clone()}</p>
        {room.is_owner.then(|| view! {
            <p class="mb-4 text-sm text-indigo-800 bg-indigo-50 rounded px-3 py-2">"You own this room."</p>
        })}
        <h2 class="text-lg font-semibold mb-3">"Meetings now"</h2>
        {if room.active_meetings.is_empty() {
            view! { <p class="text-slate-600 mb-6" data-testid="no-meetings">"No meeting is running."</p> }.into_any()
        } else {
            view! {
                <ul class="mb-6 space-y-2" data-testid="meetings">
                    {room.active_meetings.into_iter().map(|m| view! { <MeetingRow meeting=m/> }).collect_view()}
                </ul>
            }.into_any()
        }}
        {(!room.upcoming.is_empty()).then(|| view! {
            <h2 class="text-lg font-semibold mb-3">"Coming up"</h2>
            <ul class="mb-6 space-y-2" data-testid="upcoming">
                {room.upcoming.clone().into_iter().map(|u| view! { <UpcomingRow upcoming=u/> }).collect_view()}
            </ul>
        })}
        <Subscribe url=room.url.clone()/>
        {room.is_owner.then(|| view! {
            <p class="mb-6"><a href=format!("/rooms/{}/settings", room.name) class="text-indigo-700 hover:underline" data-testid="settings-link">"Room settings and calendar"</a></p>
        })}
        {if room.viewer_signed_in {
            view! {
                <button
                    type="button"
                    data-testid="start-meeting"
                    class="rounded bg-indigo-600 text-white px-4 py-2 disabled:opacity-50"
                    disabled=move || start.pending().get()
                    on:click=move |_| {
                        start.dispatch(server_fns::StartMeeting { room_name: room_name.clone() });
                    }
                >
                    {move || if start.pending().get() { "Starting…" } else { "Start a meeting now" }}
                </button>
                <p role="alert" class="text-red-700 mt-2">{start_error}</p>
            }.into_any()
        } else {
            view! {
                <p class="text-slate-600">
                    <a href="/login" class="text-indigo-700 hover:underline">"Sign in"</a>
                    " to start a meeting."
                </p>
            }.into_any()
        }}
    }
}

/// "Subscribe": the room's schedule in the visitor's own calendar app (`webcal://` opens
/// it there; the https address is for pasting into "add calendar from URL").
#[component]
fn Subscribe(url: String) -> impl IntoView {
    let https = format!("{url}/calendar.ics");
    let webcal = match https.split_once("://") {
        Some((_, rest)) => format!("webcal://{rest}"),
        None => https.clone(),
    };
    view! {
        <section class="mb-6 text-sm" data-testid="subscribe">
            <h2 class="text-lg font-semibold mb-2">"Subscribe"</h2>
            <p class="mb-2">
                <a href=webcal class="text-indigo-700 hover:underline" data-testid="subscribe-webcal">
                    "Add this room's schedule to your calendar app"
                </a>
            </p>
            <label class="block text-slate-600 mb-1" for="subscribe-url">
                "Or subscribe by address (titles and times only):"
            </label>
            <input
                id="subscribe-url"
                readonly
                class="w-full border border-slate-300 rounded px-2 py-1 font-mono text-xs"
                value=https.clone()
                data-testid="subscribe-url"
            />
        </section>
    }
}

/// "Add to calendar": one meeting or occurrence as an .ics download.
#[component]
pub fn AddToCalendar(room_name: String, id: String) -> impl IntoView {
    view! {
        <a
            href=format!("/room/{room_name}/{id}/event.ics")
            download=""
            class="text-indigo-700 hover:underline text-sm ml-3"
            data-testid="add-to-calendar"
        >
            "Add to calendar"
        </a>
    }
}

#[component]
fn UpcomingRow(upcoming: UpcomingDto) -> impl IntoView {
    let title = upcoming.title.clone().unwrap_or_else(|| "Meeting".into());
    let when = if upcoming.all_day {
        format!("all day {}", upcoming.start_time.get(..10).unwrap_or(""))
    } else {
        format!(
            "{} – {}",
            short_time(&upcoming.start_time),
            short_time(&upcoming.end_time)
        )
    };
    let action = match upcoming.join.status {
        JoinStatus::Join => upcoming.join.meeting_path.clone().map(|p| {
            view! { <a href=p class="rounded bg-emerald-600 text-white px-3 py-1">"Join"</a> }
                .into_any()
        }),
        JoinStatus::Waiting => Some(
            view! {
                <a href=upcoming.page_path.clone() class="rounded bg-indigo-600 text-white px-3 py-1">
                    "Join early"
                </a>
            }
            .into_any(),
        ),
        _ => None,
    };
    view! {
        <li class="bg-white border border-slate-200 rounded px-4 py-3 flex justify-between items-center">
            <span>
                <span class="font-medium">{title}</span>
                <span class="text-slate-500 text-sm ml-2">{when}</span>
            </span>
            <span>
                {action}
                <AddToCalendar room_name=room_of(&upcoming.page_path) id=upcoming.event_id.clone()/>
            </span>
        </li>
    }
}

#[component]
fn MeetingRow(meeting: MeetingDto) -> impl IntoView {
    let label = meeting.title.clone().unwrap_or_else(|| {
        if meeting.kind == MeetingKindDto::Calendar {
            "Scheduled meeting".into()
        } else {
            "Unscheduled meeting".into()
        }
    });
    view! {
        <li class="bg-white border border-slate-200 rounded px-4 py-3 flex justify-between items-center">
            <span>
                <span class="font-medium">{label}</span>
                <span class="text-slate-500 text-sm ml-2">"since " {short_time(&meeting.start_time)}</span>
                {(meeting.participants_now > 0).then(|| view! {
                    <span class="text-emerald-700 text-sm ml-2" data-testid="participants-now">
                        {match meeting.participants_now {
                            1 => "1 person here".to_string(),
                            n => format!("{n} people here"),
                        }}
                    </span>
                })}
            </span>
            <span>
                <a href=meeting.page_path.clone() class="rounded bg-emerald-600 text-white px-3 py-1">"Join"</a>
                <AddToCalendar room_name=meeting.room_name.clone() id=meeting.id.clone()/>
            </span>
        </li>
    }
}

/// The room name in a page path (`/room/<name>/…`).
fn room_of(page_path: &str) -> String {
    page_path
        .trim_start_matches("/room/")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string()
}
