//! The live board of a room page: a card per active meeting and per occurrence starting
//! soon (owners also see the rest of the day folded away), asked again when the room's
//! live stream reports a change (else every 3 seconds, see [`crate::live`]),
//! with countdowns and running times that tick every second in the reader's time zone.
//! What each card shows is decided on the server: owners get a host view (description,
//! organizer, attendees and their answers, who is here), everyone else title, time and
//! head count only.

use super::host_controls::HostButtons;
use crate::components::AddToCalendar;
use crate::dto::{ItemKind, MeetingItem, OwnerView, RoomBoardDto, Rsvp};
#[cfg(feature = "hydrate")]
use crate::server_fns;
use crate::time::{self, PageClock, When, Zone};
use leptos::prelude::*;

/// How often the board asks the server again while no live stream is open.
const POLL: std::time::Duration = std::time::Duration::from_secs(3);

/// The board of room `name`. The first answer comes with the room page (`first`,
/// server-rendered); then the page asks again every few seconds and only re-renders when
/// something changed, so an open "Later today" stays open and keyboard focus stays where
/// it is.
#[component]
pub fn RoomBoard(name: String, first: RoomBoardDto) -> impl IntoView {
    let cards = RwSignal::new(first.meetings);
    let clock = PageClock::new(0);
    let later_open = RwSignal::new(false);
    let server_now = time::parse_ms(&first.server_now).unwrap_or_default();
    // After hydration, like every later answer: the HTML and the first render agree.
    let first_now = first.server_now.clone();
    Effect::new(move |_| clock.sync_with_server(&first_now));
    // Asked again when the room's live stream says it changed, and by polling as the
    // fallback (crate::live). One question at a time: a slow answer is not overtaken.
    #[cfg(feature = "hydrate")]
    {
        let asking = StoredValue::new(false);
        let room = name.clone();
        crate::live::live_refresh(name, POLL, move || {
            if asking.get_value() {
                return;
            }
            asking.set_value(true);
            let name = room.clone();
            leptos::task::spawn_local(async move {
                if let Ok(b) = server_fns::get_room_board(name).await {
                    clock.sync_with_server(&b.server_now);
                    if cards.with_untracked(|shown| shown != &b.meetings) {
                        cards.set(b.meetings);
                    }
                }
                asking.set_value(false);
            });
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (POLL, name);
    view! { <Board cards=cards.into() server_now=server_now clock=clock later_open=later_open/> }
}

/// `now` as the page shows it: the server's clock of this answer until the page runs in
/// the browser (so the HTML and the first render in the browser agree), then the ticking
/// clock.
fn now_of(clock: PageClock, server_now_ms: i64) -> impl Fn() -> i64 + Copy {
    move || match clock.zone.get() {
        Zone::Utc => server_now_ms,
        Zone::Local => clock.now_ms.get(),
    }
}

#[component]
fn Board(
    cards: Signal<Vec<MeetingItem>>,
    server_now: i64,
    clock: PageClock,
    later_open: RwSignal<bool>,
) -> impl IntoView {
    let now = now_of(clock, server_now);
    let of_kind = move |kind: ItemKind| -> Vec<MeetingItem> {
        cards.with(|all| all.iter().filter(|c| c.kind == kind).cloned().collect())
    };
    // The reader's day changes once a day, not with every tick of the clock.
    let today = Memo::new(move |_| {
        let zone = clock.zone.get();
        (zone, time::day_number(now(), zone))
    });
    let later_today = move || {
        let (zone, day) = today.get();
        of_kind(ItemKind::Later)
            .into_iter()
            .filter(|c| time::day_number(time::parse_ms(&c.start).unwrap_or_default(), zone) == day)
            .collect::<Vec<_>>()
    };
    view! {
        <h2 class="text-lg font-semibold mb-3">"Meetings now"</h2>
        {move || {
            let active = of_kind(ItemKind::Active);
            if active.is_empty() {
                view! { <p class="text-slate-700 mb-6" data-testid="no-meetings">"No meeting is running."</p> }.into_any()
            } else {
                view! {
                    <ul class="mb-6 space-y-3" data-testid="meetings">
                        {active.into_iter().map(|c| view! { <Card card=c now=now clock=clock/> }).collect_view()}
                    </ul>
                }.into_any()
            }
        }}
        {move || {
            let upcoming = of_kind(ItemKind::Upcoming);
            (!upcoming.is_empty()).then(|| view! {
                <h2 class="text-lg font-semibold mb-3">"Starting soon"</h2>
                <ul class="mb-6 space-y-3" data-testid="upcoming">
                    {upcoming.into_iter().map(|c| view! { <Card card=c now=now clock=clock/> }).collect_view()}
                </ul>
            })
        }}
        {move || {
            let cards = later_today();
            (!cards.is_empty()).then(|| view! {
                <details
                    class="mb-6"
                    data-testid="later-today"
                    prop:open=move || later_open.get()
                    on:toggle:target=move |ev| later_open.set(ev.target().open())
                >
                    <summary class="cursor-pointer font-semibold">{format!("Later today ({})", cards.len())}</summary>
                    <ul class="mt-3 space-y-3">
                        {cards.into_iter().map(|c| view! { <Card card=c now=now clock=clock/> }).collect_view()}
                    </ul>
                </details>
            })
        }}
    }
}

#[component]
fn Card(
    card: MeetingItem,
    now: impl Fn() -> i64 + Copy + Send + Sync + 'static,
    clock: PageClock,
) -> impl IntoView {
    let start = time::parse_ms(&card.start).unwrap_or_default();
    let end = time::parse_ms(&card.end).unwrap_or_default();
    let started = card.started_at.as_deref().and_then(time::parse_ms);
    let when = move || {
        format!(
            "{} · {}",
            time::span(start, end, now(), clock.zone.get()),
            time::duration_words(end - start)
        )
    };
    // An active meeting says how long it has run; anything before its start counts down.
    let status = move || {
        let at = now();
        match started {
            Some(since) if at >= since => {
                format!("running for {}", time::duration_words(at - since))
            }
            _ if at < start => format!("starts in {}", time::countdown(start - at)),
            _ => "starting now".to_string(),
        }
    };
    let status_id = if card.kind == ItemKind::Active {
        "running-for"
    } else {
        "countdown"
    };
    let here = match card.participants_now {
        0 => None,
        1 => Some("1 person here".to_string()),
        n => Some(format!("{n} people here")),
    };
    let room_name = room_of(&card.join.page_path);
    // The room's owners get the host controls of a running meeting (the server answers
    // nothing to anyone else, and only owners' items carry `owner`).
    let controls = (card.kind == ItemKind::Active && card.owner.is_some())
        .then(|| view! { <HostButtons room_name=room_name.clone() meeting_id=card.id.clone()/> });
    let (join_label, join_class) = if card.join_now() {
        (
            "Join",
            "rounded bg-emerald-700 text-white px-3 py-1 font-medium",
        )
    } else {
        (
            "Join early",
            "rounded bg-indigo-700 text-white px-3 py-1 font-medium",
        )
    };
    let testid = match card.kind {
        ItemKind::Active => "meeting-card",
        ItemKind::Upcoming => "upcoming-card",
        ItemKind::Later => "later-card",
    };
    view! {
        <li class="bg-white border border-slate-200 rounded p-4" data-testid=testid>
            <div class="flex flex-wrap justify-between gap-2 items-start">
                <div class="min-w-0">
                    <h3 class="font-semibold break-words" data-testid="card-title">{card.title.clone()}</h3>
                    <p class="text-slate-700 text-sm" data-testid="card-when">
                        <When at=card.start.clone() text=Signal::derive(when)/>
                    </p>
                    <p class="text-sm" data-testid=status_id>{status}</p>
                    {here.map(|text| view! {
                        <p class="text-sm text-slate-800" data-testid="participants-now">{text}</p>
                    })}
                </div>
                <div class="flex items-center gap-2 shrink-0">
                    <a href=card.join.page_path.clone() class=join_class>{join_label}</a>
                    <AddToCalendar room_name=room_name id=card.id.clone()/>
                </div>
            </div>
            {controls}
            {card.owner.clone().map(|owner| view! { <HostDetails owner=owner/> })}
        </li>
    }
    .into_any()
}

/// What only the owner sees: description, organizer, who was invited and their answers,
/// and who is in the call.
#[component]
fn HostDetails(owner: OwnerView) -> impl IntoView {
    let (host, present) = (owner.details, owner.present);
    let count = |rsvp: Rsvp| host.attendees.iter().filter(|a| a.rsvp == rsvp).count();
    let counts = [
        Rsvp::Accepted,
        Rsvp::Tentative,
        Rsvp::Declined,
        Rsvp::NoAnswer,
    ]
    .into_iter()
    .map(|r| format!("{} {}", count(r), r.label()))
    .collect::<Vec<_>>()
    .join(" · ");
    view! {
        <div class="mt-3 border-t border-slate-200 pt-3 text-sm space-y-2" data-testid="host-details">
            {host.organizer.clone().map(|o| view! {
                <p data-testid="organizer"><span class="text-slate-700">"Organizer: "</span>{o.label()}</p>
            })}
            {host.location.clone().map(|l| view! {
                <p data-testid="location"><span class="text-slate-700">"Location: "</span><Linked text=l/></p>
            })}
            {host.description.clone().map(|d| view! {
                <p class="whitespace-pre-line break-words" data-testid="description"><Linked text=d/></p>
            })}
            {(!host.attendees.is_empty()).then(|| view! {
                <div>
                    <p class="text-slate-700" data-testid="rsvp-counts">
                        {format!("{} invited: {counts}", host.attendees.len())}
                    </p>
                    <ul class="flex flex-wrap gap-x-4" data-testid="attendees">
                        {host.attendees.iter().map(|a| view! {
                            <li>{a.label()} " (" {a.rsvp.label()} ")"</li>
                        }).collect_view()}
                    </ul>
                </div>
            })}
            <p data-testid="present-names">
                {if present.is_empty() {
                    "Nobody is in the call.".to_string()
                } else {
                    format!("In the call ({}): {}", present.len(), present.join(", "))
                }}
            </p>
        </div>
    }
    .into_any()
}

/// Text with its web addresses as links (opened in a new tab); nothing else in it is
/// markup, so a description cannot run anything.
#[component]
pub fn Linked(text: String) -> impl IntoView {
    let mut parts = Vec::new();
    let mut plain = String::new();
    for piece in text.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end();
        if word.starts_with("https://") || word.starts_with("http://") {
            if !plain.is_empty() {
                parts.push(std::mem::take(&mut plain).into_any());
            }
            let href = word.trim_end_matches(['.', ',', ')', ';']).to_string();
            let rest = word[href.len()..].to_string() + &piece[word.len()..];
            parts.push(
                view! {
                    <a href=href.clone() target="_blank" rel="noopener noreferrer nofollow" class="text-indigo-700 underline break-all">{href.clone()}</a>
                }
                .into_any(),
            );
            plain.push_str(&rest);
        } else {
            plain.push_str(piece);
        }
    }
    if !plain.is_empty() {
        parts.push(plain.into_any());
    }
    parts.collect_view()
}

/// The room name in a page path (`/room/<name>/…`).
pub fn room_of(page_path: &str) -> String {
    page_path
        .trim_start_matches("/room/")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string()
}
