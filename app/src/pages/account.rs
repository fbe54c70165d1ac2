//! The account page: change the password, see the sessions and sign out everywhere,
//! delete the account.

use crate::components::{action_error, Field, FormError};
use crate::server_fns;
use leptos::prelude::*;

/// `/account`.
#[component]
pub fn AccountPage() -> impl IntoView {
    let change = ServerAction::<server_fns::ChangePassword>::new();
    let change_error = action_error(change);
    let changed = move || matches!(change.value().get(), Some(Ok(())));
    let everywhere = ServerAction::<server_fns::SignOutEverywhere>::new();
    let delete = ServerAction::<server_fns::DeleteAccount>::new();
    let delete_error = action_error(delete);
    let sessions = Resource::new(
        move || change.version().get(),
        |_| server_fns::my_sessions(),
    );
    view! {
        <h1 class="text-2xl font-bold mb-6">"Your account"</h1>
        <h2 class="text-lg font-semibold mb-3">"Password"</h2>
        <ActionForm action=change>
            <FormError error=change_error/>
            <Field label="Current password" name="current_password" kind="password" error=change_error/>
            <Field
                label="New password"
                name="new_password"
                kind="password"
                error=change_error
                hint="At least 8 characters. Your other sessions are signed out."
            />
            <button type="submit" class="rounded bg-indigo-600 text-white px-4 py-2">
                "Change password"
            </button>
        </ActionForm>
        <Show when=changed>
            <p role="status" data-testid="password-changed" class="mt-2 text-green-800">
                "Password changed; your other sessions are signed out."
            </p>
        </Show>
        <h2 class="text-lg font-semibold mt-8 mb-3">"Where you are signed in"</h2>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                sessions
                    .get()
                    .map(|result| match result {
                        Ok(list) => {
                            view! {
                                <ul class="divide-y divide-slate-200 bg-white rounded border border-slate-200" data-testid="sessions">
                                    {list
                                        .into_iter()
                                        .map(|s| {
                                            view! {
                                                <li class="px-4 py-2 text-sm" data-testid="session">
                                                    <span class="font-medium">
                                                        {s.device.unwrap_or_else(|| "Unknown device".into())}
                                                    </span>
                                                    {s.current.then_some(" (this browser)")}
                                                    <span class="block text-slate-600">
                                                        "Last used "
                                                        <crate::time::When
                                                            text=utc_minute(&s.last_used_at)
                                                            at=s.last_used_at
                                                        />
                                                    </span>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <p role="alert">{e.message}</p> }.into_any(),
                    })
            }}
        </Suspense>
        <ActionForm action=everywhere>
            <button type="submit" class="mt-3 rounded border border-slate-400 px-4 py-2">
                "Sign out everywhere"
            </button>
        </ActionForm>
        <h2 class="text-lg font-semibold mt-8 mb-3">"Delete your account"</h2>
        <p class="text-sm text-slate-700 mb-2">
            "This cannot be undone. Your rooms can go with it, or to their co-owners."
        </p>
        <ActionForm action=delete>
            <FormError error=delete_error/>
            <fieldset class="mb-3 text-sm">
                <legend class="font-medium mb-1">"Your rooms"</legend>
                <label class="block">
                    <input type="radio" name="rooms" value="delete" checked=true/>
                    " Delete them, with their calendars and meetings"
                </label>
                <label class="block">
                    <input type="radio" name="rooms" value="hand_over" data-testid="hand-over"/>
                    " Hand each to its co-owner (rooms without one are deleted)"
                </label>
            </fieldset>
            <RoomFates/>
            <Field label="Type your email to confirm" name="confirm" kind="email" error=delete_error/>
            <button type="submit" class="rounded bg-red-700 text-white px-4 py-2">
                "Delete my account"
            </button>
        </ActionForm>
    }
}

/// Where each of the caller's rooms goes when it hands them over.
#[component]
fn RoomFates() -> impl IntoView {
    let fates = Resource::new(|| (), |_| server_fns::rooms_on_leaving());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                fates
                    .get()
                    .and_then(Result::ok)
                    .filter(|list| !list.is_empty())
                    .map(|list| {
                        view! {
                            <ul class="mb-3 text-sm text-slate-700" data-testid="room-fates">
                                {list
                                    .into_iter()
                                    .map(|f| {
                                        let fate = match f.handed_to {
                                            Some(email) => format!("goes to {email} if you hand rooms over"),
                                            None => "has no co-owner: deleted either way".to_string(),
                                        };
                                        view! { <li>{f.room}" "{fate}</li> }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                    })
            }}
        </Suspense>
    }
}

/// The settings page's last section: delete the room, its name typed to confirm.
#[component]
pub fn DeleteRoom(room: String) -> impl IntoView {
    let delete = ServerAction::<server_fns::DeleteRoom>::new();
    let error = action_error(delete);
    view! {
        <h2 class="text-lg font-semibold mt-8 mb-3">"Delete this room"</h2>
        <p class="text-sm text-slate-700 mb-2">
            "Its calendar address, meetings and private feed are deleted with it; running calls end."
        </p>
        <ActionForm action=delete>
            <FormError error=error/>
            <input type="hidden" name="room" value=room/>
            <Field label="Type the room's name to confirm" name="confirm" error=error/>
            <button type="submit" class="rounded bg-red-700 text-white px-4 py-2">
                "Delete room"
            </button>
        </ActionForm>
    }
}

/// `2026-12-07T09:30:00Z` as `2026-12-07 09:30 UTC` (the same on the server and in the
/// browser, so hydration agrees).
fn utc_minute(rfc3339: &str) -> String {
    let minute: String = rfc3339.chars().take(16).collect();
    format!("{} UTC", minute.replace('T', " "))
}
