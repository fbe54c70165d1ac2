use super::{set_status, NotFound};
use crate::dto::JoinStatus;
use crate::server_fns;
use crate::time::{self, PageClock, When, Zone};
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
    // Asks the server again when the room's live stream says it changed (the meeting is
    // pre-created shortly before its start, started, moved or cancelled), else every 2 s
    // (crate::live).
    let poll = RwSignal::new(0u32);
    crate::live::live_refresh(
        params.with_untracked(|p| p.get("name").unwrap_or_default()),
        std::time::Duration::from_secs(2),
        move || poll.update(|p| *p += 1),
    );
    let clock = PageClock::new(0);
    let answer = Resource::new(
        move || (key(), poll.get()),
        |((name, id), _)| server_fns::join_event(name, id),
    );
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(join)) = answer.get() {
            if let Some(server_now) = &join.server_now {
                clock.sync_with_server(server_now);
            }
            // Ask once more right at the start: a meeting created ahead of it opens then,
            // with no change for the stream to announce.
            #[cfg(feature = "hydrate")]
            if join.status == JoinStatus::Waiting && !crate::live::polling_off() {
                let start = join.starts_at.as_deref().and_then(time::parse_ms);
                let now = join.server_now.as_deref().and_then(time::parse_ms);
                if let Some(wait) = start.zip(now).map(|(start, now)| start - now) {
                    if (0..3_600_000).contains(&wait) {
                        set_timeout(
                            move || poll.update(|p| *p += 1),
                            std::time::Duration::from_millis(wait.unsigned_abs() + 250),
                        );
                    }
                }
            }
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
                        let start_ms = time::parse_ms(&starts).unwrap_or_default();
                        let server_now = join
                            .server_now
                            .as_deref()
                            .and_then(time::parse_ms)
                            .unwrap_or(start_ms);
                        let now = move || match clock.zone.get() {
                            Zone::Utc => server_now,
                            Zone::Local => clock.now_ms.get(),
                        };
                        let at = move || time::instant(start_ms, now(), clock.zone.get());
                        let countdown = move || time::countdown(start_ms - now());
                        let title = join.title.clone().unwrap_or_else(|| "The meeting".into());
                        match join.status {
                            // Open already: the page moves on by itself; the link is for
                            // anyone who opens this address after the start.
                            JoinStatus::Join => view! {
                                <section class="py-10 text-center" data-testid="started">
                                    <h1 class="text-2xl font-bold mb-4">"The meeting has started"</h1>
                                    <a href=join.meeting_path.clone().unwrap_or_default() class="rounded bg-emerald-700 text-white px-4 py-2 font-medium">"Join now"</a>
                                </section>
                            }.into_any(),
                            JoinStatus::Waiting => view! {
                                <section class="py-10 text-center" data-testid="waiting">
                                    <h1 class="text-2xl font-bold mb-2" data-testid="waiting-title">{title}</h1>
                                    <p class="text-slate-800 mb-4">
                                        "Starts at " <When at=starts.clone() text=Signal::derive(at)/>
                                        ". This page moves you in when it opens."
                                    </p>
                                    <p class="text-4xl font-mono" data-testid="countdown" aria-live="off">{countdown}</p>
                                    <p class="mt-4">
                                        <crate::components::AddToCalendar room_name=key().0 id=key().1/>
                                    </p>
                                </section>
                            }.into_any(),
                            JoinStatus::Ended => {
                                set_status(410);
                                view! {
                                    <section class="py-10" data-testid="meeting-error">
                                        <p role="alert" class="text-lg mb-4">{join.message.unwrap_or_default()}</p>
                                        <a href=format!("/room/{}", key().0) class="text-indigo-700 underline" data-testid="back-to-room">"Back to the room"</a>
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
