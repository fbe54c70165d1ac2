use super::room_board::RoomBoard;
use super::{set_status, NotFound};
use crate::dto::RoomDto;
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
            navigate(&meeting.meeting.join.page_path, Default::default());
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
        <AccessNotice access=room.access.clone() signed_in=room.viewer_signed_in is_owner=room.is_owner room_name=room.name.clone()/>
        <RoomBoard name=room.name.clone() first=room.board.clone()/>
        <Subscribe url=room.url.clone()/>
        {room.is_owner.then(|| view! {
            <p class="mb-6"><a href=format!("/rooms/{}/settings", room.name) class="text-indigo-700 underline" data-testid="settings-link">"Room settings and calendar"</a></p>
        })}
        {if room.viewer_signed_in && (room.access != "knock" || room.is_owner) {
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
                    {move || if start.pending().get() { "Starting…" } else { "Start an unscheduled meeting" }}
                </button>
                <p role="alert" class="text-red-700 mt-2">{start_error}</p>
            }.into_any()
        } else {
            view! {
                <p class="text-slate-600">
                    <a href="/login" class="text-indigo-700 underline">"Sign in"</a>
                    " to start a meeting."
                </p>
            }.into_any()
        }}
    }
}

/// What the room's access means for this visitor: in a members room, anonymous people
/// are asked to sign in; in a knock room, guests learn that the host lets them in.
#[component]
fn AccessNotice(
    access: String,
    signed_in: bool,
    is_owner: bool,
    room_name: String,
) -> impl IntoView {
    let box_class = "mb-4 text-sm text-amber-900 bg-amber-50 rounded px-3 py-2";
    match (access.as_str(), signed_in, is_owner) {
        (_, _, true) => None,
        ("members", false, _) => Some(view! {
            <p class=box_class data-testid="members-only">
                "This room is for signed-in members. "
                <a href=format!("/login?return_to=/room/{room_name}") class="underline" data-testid="members-sign-in">"Sign in"</a>
                " to join its meetings."
            </p>
        }.into_any()),
        ("knock", _, _) => Some(view! {
            <p class=box_class data-testid="knock-room">
                "The host lets people in: open a meeting and ask to join."
            </p>
        }.into_any()),
        _ => None,
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
                <a href=webcal class="text-indigo-700 underline" data-testid="subscribe-webcal">
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
