//! The settings page's "Who can join": the room's access mode and, for members-only
//! rooms, the email domains admitted.

use crate::components::{action_error, FormError};
use crate::server_fns;
use leptos::prelude::*;

/// The access form of room `room`, for its owners.
#[component]
pub fn AccessSettings(room: String) -> impl IntoView {
    let save = ServerAction::<server_fns::SaveRoomAccess>::new();
    let name = room.clone();
    let current = Resource::new(
        move || (name.clone(), save.version().get()),
        |(n, _)| server_fns::get_room_access(n),
    );
    let error = action_error(save);
    let domains_error = move || error.get().and_then(|e| e.field("access_email_domains"));
    let access_error = move || error.get().and_then(|e| e.field("access"));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="mt-8" data-testid="access-settings">
            <h2 class="text-lg font-semibold mb-3">"Who can join"</h2>
            <Suspense fallback=|| ()>
                {move || current.get().and_then(Result::ok).map(|a| {
                    let room = room.clone();
                    let mode = a.access.clone();
                    let option = move |value: &'static str, label: &'static str| {
                        let selected = mode.as_str() == value;
                        view! { <option value=value selected=selected>{label}</option> }
                    };
                    view! {
                        <ActionForm action=save>
                            <FormError error=error/>
                            <input type="hidden" name="room_name" value=room.clone()/>
                            <label class="block mb-4">
                                <span class="block text-sm font-medium text-slate-700 mb-1">"Access"</span>
                                <select name="access" data-testid="access-select" class="rounded border border-slate-300 px-3 py-2">
                                    {option("open", "Open: anyone with the link")}
                                    {option("members", "Members: signed-in accounts only")}
                                    {option("knock", "Knock: guests ask, you let them in")}
                                </select>
                                <span class="block text-sm text-red-700 mt-1" data-field-error="access">{access_error}</span>
                            </label>
                            <label class="block mb-4">
                                <span class="block text-sm font-medium text-slate-700 mb-1">"Email domains (members only; empty: any)"</span>
                                <input
                                    type="text"
                                    name="access_email_domains"
                                    data-testid="access-domains"
                                    placeholder="example.org, example.com"
                                    value=a.access_email_domains.join(", ")
                                    class="w-full rounded border border-slate-300 px-3 py-2"
                                />
                                <span class="block text-sm text-red-700 mt-1" data-field-error="access_email_domains">{domains_error}</span>
                            </label>
                            <button type="submit" data-testid="save-access" class="rounded bg-indigo-600 text-white px-4 py-2">
                                "Apply who can join"
                            </button>
                            <span class="ml-3 text-sm text-green-700" data-testid="access-saved">
                                {move || saved().then_some("Saved.")}
                            </span>
                        </ActionForm>
                    }
                })}
            </Suspense>
        </section>
    }
}
