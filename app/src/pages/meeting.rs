use super::{set_status, NotFound};
use crate::api;
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
    let meeting = Resource::new(key, |(name, id)| api::get_meeting(name, id));
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                meeting.get().map(|result| match result {
                    Ok(m) => view! {
                        <div class="flex items-center justify-between mb-3">
                            <a href=format!("/room/{}", m.room_name) class="text-indigo-700 hover:underline">
                                "← " {m.room_name.clone()}
                            </a>
                            <a href=m.participant_url.clone() target="_blank" rel="noopener" class="text-sm text-slate-600 hover:underline">
                                "Open the call in a new tab"
                            </a>
                        </div>
                        <iframe
                            data-testid="call"
                            src=m.participant_url.clone()
                            allow="camera; microphone; fullscreen; display-capture; autoplay"
                            class="w-full h-[70vh] rounded border border-slate-300 bg-black"
                        ></iframe>
                    }.into_any(),
                    Err(e) if e.status == 404 => view! { <NotFound message=e.message/> }.into_any(),
                    Err(e) => {
                        set_status(e.status);
                        view! {
                            <section class="py-10" data-testid="meeting-error">
                                <p role="alert" class="text-lg mb-4">{e.message}</p>
                                <a href=format!("/room/{}", key().0) class="text-indigo-700 hover:underline">"Back to the room"</a>
                            </section>
                        }.into_any()
                    }
                })
            }}
        </Suspense>
    }
}
