//! Room access on the meeting page: what a visitor the room keeps out sees (sign in,
//! another domain, the knock form, "waiting for the host", "declined"), and the owners'
//! list of knocks with Admit / Decline, both following the room's live stream.

use crate::components::{action_error, Field, FormError};
use crate::dto::AppError;
use crate::server_fns;
use leptos::prelude::*;

/// The error codes of a visitor the room's access rule keeps out.
pub const NO_ENTRY_CODES: [&str; 5] = [
    "sign_in_required",
    "domain_not_allowed",
    "knock_required",
    "knock_pending",
    "knock_declined",
];

/// Whether `error` is the access rule keeping the visitor out (not a failure).
pub fn is_no_entry(error: &AppError) -> bool {
    NO_ENTRY_CODES.contains(&error.code.as_str())
}

/// What a visitor kept out of meeting `meeting_id` sees instead of the call. `knocked`
/// is told when a knock was made, so the page asks again.
#[component]
pub fn NoEntry(
    error: AppError,
    room_name: String,
    meeting_id: String,
    knocked: Callback<()>,
) -> impl IntoView {
    let back = format!("/room/{room_name}/{meeting_id}");
    let body = match error.code.as_str() {
        "sign_in_required" => view! {
            <p class="text-lg mb-4" data-testid="sign-in-required">{error.message}</p>
            <a href=format!("/login?return_to={back}") class="text-indigo-700 underline" data-testid="sign-in-link">"Sign in"</a>
        }
        .into_any(),
        "knock_required" => view! {
            <KnockForm message=error.message room_name=room_name.clone() meeting_id=meeting_id knocked=knocked/>
        }
        .into_any(),
        "knock_pending" => view! {
            <p class="text-lg" role="status" data-testid="knock-pending">"Waiting for the host to let you in…"</p>
        }
        .into_any(),
        "knock_declined" => view! {
            <p class="text-lg" role="alert" data-testid="knock-declined">"The host declined your request."</p>
        }
        .into_any(),
        _ => view! { <p class="text-lg" role="alert" data-testid="no-entry">{error.message}</p> }
            .into_any(),
    };
    view! {
        <section class="py-10" data-testid="meeting-no-entry">
            {body}
            <p class="mt-6"><a href=format!("/room/{room_name}") class="text-indigo-700 underline">"Back to the room"</a></p>
        </section>
    }
}

/// "Ask to join": the guest's name, sent as a knock.
#[component]
fn KnockForm(
    message: String,
    room_name: String,
    meeting_id: String,
    knocked: Callback<()>,
) -> impl IntoView {
    let knock = ServerAction::<server_fns::Knock>::new();
    let error = action_error(knock);
    Effect::new(move |_| {
        if let Some(Ok(_)) = knock.value().get() {
            knocked.run(());
        }
    });
    view! {
        <p class="text-lg mb-4" data-testid="knock-required">{message}</p>
        <ActionForm action=knock>
            <FormError error=error/>
            <input type="hidden" name="room_name" value=room_name/>
            <input type="hidden" name="meeting_id" value=meeting_id/>
            <Field label="Your name" name="name" error=error/>
            <button
                type="submit"
                data-testid="knock"
                class="rounded bg-indigo-600 text-white px-4 py-2 disabled:opacity-50"
                disabled=move || knock.pending().get()
            >
                "Ask to join"
            </button>
        </ActionForm>
    }
}

/// The owners' list of pending knocks on a meeting, with Admit / Decline, asked again on
/// each change of the room (see [`crate::live`]). Others get nothing: the server answers
/// `None` for them.
#[component]
pub fn KnockList(room_name: String, meeting_id: String) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    let live_room = room_name.clone();
    let answer = ServerAction::<server_fns::AnswerKnock>::new();
    let poll = RwSignal::new(0u32);
    let (room, meeting) = (room_name.clone(), meeting_id.clone());
    let knocks = Resource::new(
        move || {
            (
                room.clone(),
                meeting.clone(),
                poll.get(),
                answer.version().get(),
            )
        },
        |(room, id, _, _)| server_fns::list_knocks(room, id),
    );
    #[cfg(feature = "hydrate")]
    crate::live::live_refresh(live_room, std::time::Duration::from_secs(3), move || {
        if knocks.with_untracked(|k| matches!(k, Some(Ok(Some(_))))) {
            poll.update(|p| *p += 1);
        }
    });
    let answer_error = move || {
        answer
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.message)
    };
    view! {
        <Transition fallback=|| ()>
            {move || knocks.get().and_then(|r| r.ok()).flatten().map(|list| {
                let pending: Vec<_> = list.into_iter().filter(|k| k.state == "pending").collect();
                let (room_name, meeting_id) = (room_name.clone(), meeting_id.clone());
                view! {
                    <section class="mb-3 bg-amber-50 border border-amber-200 rounded p-3 text-sm" data-testid="knock-list">
                        <h2 class="font-medium mb-2">{format!("Asking to join ({})", pending.len())}</h2>
                        {pending.is_empty().then(|| view! { <p class="text-slate-600">"Nobody is waiting."</p> })}
                        <ul class="space-y-2">
                            {pending.into_iter().map(|k| {
                                let (r1, m1, id1) = (room_name.clone(), meeting_id.clone(), k.id.clone());
                                let (r2, m2, id2) = (room_name.clone(), meeting_id.clone(), k.id.clone());
                                view! {
                                    <li class="flex items-center gap-3" data-testid="knock-item">
                                        <span class="flex-1" data-testid="knock-name">{k.name.clone()}</span>
                                        <button type="button" data-testid="admit-knock"
                                            class="rounded bg-indigo-600 text-white px-3 py-1"
                                            on:click=move |_| { answer.dispatch(server_fns::AnswerKnock { room_name: r1.clone(), meeting_id: m1.clone(), knock_id: id1.clone(), admit: true }); }>
                                            "Admit"
                                        </button>
                                        <button type="button" data-testid="decline-knock"
                                            class="rounded border border-slate-400 px-3 py-1"
                                            on:click=move |_| { answer.dispatch(server_fns::AnswerKnock { room_name: r2.clone(), meeting_id: m2.clone(), knock_id: id2.clone(), admit: false }); }>
                                            "Decline"
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <p role="alert" class="text-red-700">{answer_error}</p>
                    </section>
                }
            })}
        </Transition>
    }
}
