use super::{set_status, NotFound};
use crate::components::short_time;
use crate::dto::JoinStatus;
use crate::server_fns;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

/// `/room/<name>/event/<event-id>`: joined early, waits with a countdown and moves into the
/// meeting as soon as it opens.
#[component]
pub fn WaitingPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("name").unwrap_or_default(),
            p.get("event_id").unwrap_or_default(),
        )
    };
    // Asks the server again every 2 s (the meeting is pre-created shortly before its start).
    let poll = RwSignal::new(0u32);
    // Seconds since the page opened, for the countdown.
    let now_ms = RwSignal::new(0f64);
    #[cfg(feature = "hydrate")]
    {
        now_ms.set(js_sys::Date::now());
        if let Ok(handle) = set_interval_with_handle(
            move || {
                now_ms.set(js_sys::Date::now());
                if (now_ms.get_untracked() as u64 / 1000).is_multiple_of(2) {
                    poll.update(|p| *p += 1);
                }
            },
            std::time::Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
    let answer = Resource::new(
        move || (key(), poll.get()),
        |((name, id), _)| server_fns::join_event(name, id),
    );
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(join)) = answer.get() {
            if let Some(path) = join
                .meeting_path
                .filter(|_| join.status == JoinStatus::Join)
            {
                navigate(&path, Default::default());
            }
        }
    });
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                answer.get().map(|result| match result {
                    Ok(join) => {
                        let starts = join.starts_at.clone().unwrap_or_default();
                        let countdown = {
                            let starts = starts.clone();
                            move || countdown_text(&starts, now_ms.get())
                        };
                        match join.status {
                            JoinStatus::Waiting | JoinStatus::Join => view! {
                                <section class="py-10 text-center" data-testid="waiting">
                                    <h1 class="text-2xl font-bold mb-2">"The meeting opens soon"</h1>
                                    <p class="text-slate-700 mb-4">
                                        "It starts at " {short_time(&starts)} ". This page moves you in when it opens."
                                    </p>
                                    <p class="text-4xl font-mono" data-testid="countdown">{countdown}</p>
                                    <p class="mt-4">
                                        <super::room::AddToCalendar room_name=key().0 id=key().1/>
                                    </p>
                                </section>
                            }.into_any(),
                            JoinStatus::TooEarly => view! {
                                <section class="py-10" data-testid="too-early">
                                    <p class="text-lg">"This meeting starts at " {short_time(&starts)} ". Come back shortly before."</p>
                                </section>
                            }.into_any(),
                            _ => {
                                set_status(410);
                                view! {
                                    <section class="py-10" data-testid="meeting-error">
                                        <p role="alert" class="text-lg">{join.message.unwrap_or_default()}</p>
                                    </section>
                                }.into_any()
                            }
                        }
                    }
                    Err(e) if e.status == 404 => view! { <NotFound message=e.message/> }.into_any(),
                    Err(e) => view! { <p role="alert">{e.message}</p> }.into_any(),
                })
            }}
        </Transition>
    }
}

/// "04:59" until `starts_at` (RFC 3339), from the browser's clock; empty on the server.
fn countdown_text(starts_at: &str, now_ms: f64) -> String {
    #[cfg(feature = "hydrate")]
    {
        let start_ms = js_sys::Date::parse(starts_at);
        if now_ms <= 0.0 || start_ms.is_nan() {
            return String::new();
        }
        let left = ((start_ms - now_ms) / 1000.0).max(0.0) as u64;
        format!("{:02}:{:02}", left / 60, left % 60)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (starts_at, now_ms);
        String::new()
    }
}
