use super::NotFound;
use crate::components::{action_error, FormError};
use crate::dto::CalendarStatusDto;
use crate::server_fns;
use crate::time::{self, PageClock, When, Zone};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/rooms/<name>/settings`: the owner attaches a calendar and sees what the sync did.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let params = use_params_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let save = ServerAction::<server_fns::SaveCalendarSettings>::new();
    let sync = ServerAction::<server_fns::SyncCalendarNow>::new();
    let status = Resource::new(
        move || (name(), save.version().get(), sync.version().get()),
        |(n, _, _)| server_fns::get_calendar_status(n),
    );
    let log = Resource::new(
        move || (name(), save.version().get(), sync.version().get()),
        |(n, _, _)| server_fns::get_sync_log(n),
    );
    let save_error = action_error(save);
    let log_clock = PageClock::new(0);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                status.get().map(|result| match result {
                    Ok(s) => view! {
                        <StatusCard status=s.clone()/>
                        <PrivateFeed room_name=name() url=s.private_feed_url.clone().unwrap_or_default()/>
                        <SettingsForm status=s save=save error=save_error/>
                        <crate::pages::AccessSettings room=name()/>
                        <crate::pages::RoomWebhooks room=name()/>
                        <crate::pages::RoomHosts room=name()/>
                    }.into_any(),
                    Err(e) if e.status == 404 => view! { <NotFound message=e.message/> }.into_any(),
                    Err(e) => view! { <p role="alert" data-testid="settings-error">{e.message}</p> }.into_any(),
                })
            }}
        </Suspense>
        <section class="mt-8">
            <button
                type="button"
                data-testid="sync-now"
                class="rounded border border-indigo-600 text-indigo-700 px-4 py-2 disabled:opacity-50"
                disabled=move || sync.pending().get()
                on:click=move |_| {
                    sync.dispatch(server_fns::SyncCalendarNow { room_name: name() });
                }
            >
                {move || if sync.pending().get() { "Syncing…" } else { "Sync now" }}
            </button>
            <p class="mt-2 text-sm" data-testid="sync-result">
                {move || sync.value().get().map(|r| match r {
                    Ok(outcome) => outcome_summary(&outcome),
                    Err(e) => e.message,
                })}
            </p>
        </section>
        <h2 class="text-lg font-semibold mt-8 mb-3">"Sync log"</h2>
        <Suspense fallback=|| ()>
            {move || log.get().map(|result| match result {
                Ok(entries) if entries.is_empty() => view! { <p class="text-slate-600">"No sync yet."</p> }.into_any(),
                Ok(entries) => view! {
                    <ul class="text-sm divide-y divide-slate-200 bg-white border border-slate-200 rounded" data-testid="sync-log">
                        {entries.into_iter().map(|e| view! {
                            <li class="px-3 py-2">
                                {
                                    let at = e["started_at"].as_str().unwrap_or("").to_string();
                                    let ms = time::parse_ms(&at).unwrap_or_default();
                                    let text = move || time::instant(ms, log_clock.now_ms.get(), log_clock.zone.get());
                                    view! { <span class="font-mono text-slate-700 mr-2"><When at=at text=Signal::derive(text)/></span> }
                                }
                                {outcome_summary(&e)}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Err(_) => ().into_any(),
            })}
        </Suspense>
    }
}

/// "ok: 3 matching, 1 new, 0 changed, 0 removed" or the error.
fn outcome_summary(o: &serde_json::Value) -> String {
    let n = |k: &str| o[k].as_u64().unwrap_or(0);
    match o["status"].as_str() {
        Some("failed") => format!("failed: {}", o["error"].as_str().unwrap_or("unknown error")),
        Some(status) => format!(
            "{status}: {} {} in the feed, {} for this room; {} new, {} changed, {} removed, {} restored",
            n("events_in_feed"),
            if n("events_in_feed") == 1 { "event" } else { "events" },
            n("events_matching"),
            n("created"),
            n("updated"),
            n("deleted"),
            n("restored")
        ),
        None => String::new(),
    }
}

#[component]
fn StatusCard(status: CalendarStatusDto) -> impl IntoView {
    let clock = PageClock::new(time::parse_ms(&status.server_now).unwrap_or_default());
    clock.sync_with_server(&status.server_now);
    let server_now = time::parse_ms(&status.server_now).unwrap_or_default();
    let now = move || match clock.zone.get() {
        Zone::Utc => server_now,
        Zone::Local => clock.now_ms.get(),
    };
    // "14:05 (3 min ago)" in the reader's zone.
    let at = move |rfc3339: Option<String>, none: &'static str| {
        move || match rfc3339.as_deref().and_then(time::parse_ms) {
            Some(ms) => format!(
                "{} ({})",
                time::instant(ms, now(), clock.zone.get()),
                time::relative(ms, now())
            ),
            None => none.to_string(),
        }
    };
    let hint = status
        .last_error
        .as_deref()
        .and_then(|e| provider_hint(status.masked_url.as_deref(), e));
    view! {
        <h1 class="text-2xl font-bold mb-1">{status.room_name.clone()} " — settings"</h1>
        <p class="mb-6"><a href=format!("/room/{}", status.room_name) class="text-indigo-700 underline">"Back to the room"</a></p>
        <RoomAddress url=status.room_url.clone()/>
        <dl class="grid grid-cols-1 sm:grid-cols-2 gap-x-4 gap-y-1 bg-white border border-slate-200 rounded p-4 mb-6 text-sm" data-testid="calendar-status">
            <dt class="text-slate-700">"Calendar"</dt>
            <dd data-testid="masked-url" class="break-all">{status.masked_url.clone().unwrap_or_else(|| "none".into())}</dd>
            <dt class="text-slate-700">"Sync"</dt>
            <dd>{if status.enabled { format!("on, every {}", interval_label(status.interval_minutes.into())) } else { "off".into() }}</dd>
            <dt class="text-slate-700">"Last sync"</dt>
            <dd data-testid="last-sync">{at(status.last_sync.clone(), "never")}</dd>
            <dt class="text-slate-700">"Next sync"</dt>
            <dd data-testid="next-sync">{at(status.next_sync.clone(), "—")}</dd>
            <dt class="text-slate-700">"Upcoming meetings"</dt>
            <dd>{status.upcoming_occurrences}</dd>
            {(!status.meeting_errors.is_empty()).then(|| view! {
                <dt class="text-red-800 font-medium">"Meetings not created"</dt>
                <dd class="text-red-800" data-testid="meeting-errors">{status.meeting_errors.join("; ")}</dd>
            })}
            {status.last_error.clone().map(|e| view! {
                <dt class="text-red-800 font-medium">"Last error"</dt>
                <dd class="text-red-800" data-testid="last-error">
                    {e}
                    {hint.clone().map(|h| view! { <span class="block text-slate-800" data-testid="error-hint">"Hint: " {h}</span> })}
                </dd>
            })}
        </dl>
    }
}

/// The room's address, to copy into calendar events.
#[component]
fn RoomAddress(url: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = {
        let url = url.clone();
        move |_| {
            #[cfg(feature = "hydrate")]
            if let Some(window) = web_sys::window() {
                let _ = window.navigator().clipboard().write_text(&url);
                copied.set(true);
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = &url;
        }
    };
    view! {
        <section class="mb-6 text-sm" data-testid="room-address">
            <label class="block font-medium mb-1" for="room-address">"This room's address"</label>
            <div class="flex gap-2">
                <input id="room-address" readonly value=url.clone() class="flex-1 min-w-0 border border-slate-300 rounded px-2 py-1 font-mono text-xs"/>
                <button type="button" class="rounded border border-slate-500 px-3 py-1" on:click=copy data-testid="copy-room-address">
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
            </div>
            <p class="text-slate-700 mt-1">"Put this address in the location or description of your calendar events."</p>
        </section>
    }
}

/// "1 min", …, "1 hour".
fn interval_label(minutes: i64) -> String {
    match minutes {
        60 => "1 hour".into(),
        m => format!("{m} min"),
    }
}

/// Advice naming the provider, when the address says who it is.
fn provider_hint(masked_url: Option<&str>, error: &str) -> Option<String> {
    let host = masked_url?
        .split("://")
        .nth(1)?
        .split('/')
        .next()?
        .to_ascii_lowercase();
    let provider = if host.contains("outlook")
        || host.contains("office365")
        || host.contains("live.com")
    {
        ("Outlook", "check that the calendar is published (Settings → Calendar → Shared calendars → Publish a calendar) and copy the ICS link again")
    } else if host.contains("google") {
        ("Google", "use the \"Secret address in iCal format\" (Settings → your calendar → Integrate calendar)")
    } else if host.contains("icloud") {
        (
            "iCloud",
            "check that the calendar is still shared as a public calendar and copy its link again",
        )
    } else {
        return None;
    };
    // Advice about sharing settings fits a refusal or failure of the provider's server,
    // not a timeout or an unreadable file.
    if !error.contains("calendar server") {
        return None;
    }
    Some(format!("{} — {}", provider.0, provider.1))
}

#[component]
fn SettingsForm(
    status: CalendarStatusDto,
    save: ServerAction<server_fns::SaveCalendarSettings>,
    error: Signal<Option<crate::dto::AppError>>,
) -> impl IntoView {
    let field_error = move |name: &'static str| move || error.get().and_then(|e| e.field(name));
    let interval = status.interval_minutes;
    // What is typed in the address field, for "Test connection" (empty: the saved one).
    let typed = RwSignal::new(String::new());
    // Once saved, the address is shown masked above; the field empties so the secret does
    // not stay on screen.
    let url_input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            if let Some(input) = url_input.get() {
                input.set_value("");
            }
            typed.set(String::new());
        }
    });
    let test = ServerAction::<server_fns::TestCalendarConnection>::new();
    let clock = PageClock::new(0);
    let room_name = status.room_name.clone();
    let has_saved = status.masked_url.is_some();
    let test_result = move || {
        test.value().get().map(|result| match result {
            Ok(report) => {
                let next = report
                    .next
                    .as_ref()
                    .and_then(|(title, start)| {
                        let ms = time::parse_ms(start)?;
                        let now = clock.now_ms.get();
                        Some(format!(
                            ", next: {title}, {}",
                            time::instant(ms, now, clock.zone.get())
                        ))
                    })
                    .unwrap_or_default();
                let plural = if report.events_in_feed == 1 {
                    "event"
                } else {
                    "events"
                };
                let warnings = if report.warnings.is_empty() {
                    String::new()
                } else {
                    format!(
                        " ({} skipped: {})",
                        report.warnings.len(),
                        report.warnings.join("; ")
                    )
                };
                (
                    false,
                    format!(
                        "{} {plural}, {} for this room{next}{warnings}",
                        report.events_in_feed, report.events_matching
                    ),
                )
            }
            Err(e) => (true, e.field("url").unwrap_or(e.message)),
        })
    };
    view! {
        <ActionForm action=save>
            <FormError error=error/>
            <input type="hidden" name="room_name" value=status.room_name.clone()/>
            <label class="block mb-4">
                <span class="block text-sm font-medium text-slate-700 mb-1">"Calendar address (ICS)"</span>
                <input
                    type="text"
                    name="ics_url"
                    placeholder=if status.masked_url.is_some() { "leave empty to keep the current address" } else { "https://calendar.google.com/…/basic.ics" }
                    class="w-full rounded border border-slate-300 px-3 py-2"
                    on:input:target=move |ev| typed.set(ev.target().value())
                    node_ref=url_input
                />
                <span class="block text-xs text-slate-500 mt-1">
                    "Google: Settings → your calendar → Secret address in iCal format. Outlook: Publish calendar → ICS link. "
                    "Put this room's address in the events' location or description."
                </span>
                <span class="block text-sm text-red-700 mt-1" data-field-error="ics_url">{field_error("ics_url")}</span>
            </label>
            <div class="mb-4">
                <button
                    type="button"
                    data-testid="test-connection"
                    class="rounded border border-indigo-700 text-indigo-800 px-4 py-2 disabled:opacity-50"
                    disabled=move || test.pending().get() || (typed.get().trim().is_empty() && !has_saved)
                    on:click=move |_| {
                        test.dispatch(server_fns::TestCalendarConnection {
                            room_name: room_name.clone(),
                            ics_url: typed.get_untracked(),
                        });
                    }
                >
                    {move || if test.pending().get() { "Testing…" } else { "Test connection" }}
                </button>
                <p class="mt-2 text-sm" data-testid="test-result" role="status">
                    {move || test_result().map(|(failed, text)| view! {
                        <span class=if failed { "text-red-800" } else { "text-slate-900" }>
                            {if failed { "Could not read the calendar: " } else { "" }}{text}
                        </span>
                    })}
                </p>
            </div>
            <label class="flex items-center gap-2 mb-4">
                <input type="checkbox" name="ics_enabled" checked=status.enabled/>
                <span>"Sync this calendar"</span>
            </label>
            <span class="block text-sm text-red-700 mb-2" data-field-error="ics_enabled">{field_error("ics_enabled")}</span>
            <label class="block mb-4">
                <span class="block text-sm font-medium text-slate-700 mb-1">"Fetch every"</span>
                <select name="ics_fetch_interval_minutes" class="rounded border border-slate-300 px-3 py-2">
                    {[1, 5, 10, 30, 60].into_iter().map(|m| view! {
                        <option value=m.to_string() selected=m == interval>{interval_label(m.into())}</option>
                    }).collect_view()}
                </select>
            </label>
            <button type="submit" class="rounded bg-indigo-600 text-white px-4 py-2">"Save"</button>
        </ActionForm>
    }
}

/// The owner's own subscription address, with every detail, and a reset for when it
/// leaked (the old address stops working at once).
#[component]
fn PrivateFeed(room_name: String, url: String) -> impl IntoView {
    let reset = ServerAction::<server_fns::ResetPrivateFeed>::new();
    let shown = move || {
        reset
            .value()
            .get()
            .and_then(|r| r.ok())
            .unwrap_or_else(|| url.clone())
    };
    view! {
        <section class="mb-6 text-sm" data-testid="private-feed">
            <label class="block font-medium mb-1" for="private-feed-url">
                "Your private calendar of this room (with descriptions and attendees)"
            </label>
            <input
                id="private-feed-url"
                readonly
                class="w-full border border-slate-300 rounded px-2 py-1 font-mono text-xs"
                prop:value=shown
                data-testid="private-feed-url"
            />
            <p class="text-slate-600 mt-1">"Keep it to yourself: anyone with this address sees every detail."</p>
            <button
                type="button"
                class="mt-2 rounded border border-slate-400 px-3 py-1 disabled:opacity-50"
                data-testid="reset-private-feed"
                disabled=move || reset.pending().get()
                on:click=move |_| {
                    reset.dispatch(server_fns::ResetPrivateFeed { room_name: room_name.clone() });
                }
            >
                "Reset the address"
            </button>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::provider_hint;

    #[test]
    fn errors_of_known_providers_come_with_advice_naming_them() {
        let outlook = provider_hint(
            Some("https://outlook.office365.com/…/calendar.ics"),
            "the calendar server failed (500); roomcal will retry at the next interval",
        );
        assert!(outlook.is_some_and(|h| h.starts_with("Outlook") && h.contains("published")));
        let google = provider_hint(
            Some("https://calendar.google.com/…/basic.ics"),
            "the calendar server refused access (401)",
        );
        assert_eq!(
            provider_hint(
                Some("https://calendar.google.com/…/basic.ics"),
                "the download timed out"
            ),
            None
        );
        assert!(google.is_some_and(|h| h.contains("Secret address in iCal format")));
        let failed = "the calendar server failed (500)";
        assert_eq!(
            provider_hint(Some("https://cal.example.org/…/x.ics"), failed),
            None
        );
        assert_eq!(provider_hint(None, failed), None);
    }
}
