//! The settings page's co-owners section: everyone who hosts the room sees the list; the
//! owner adds co-owners by email, removes them and may delete the room; a co-owner may
//! leave.

use crate::components::{action_error, Field, FormError};
use crate::server_fns;
use leptos::prelude::*;

/// The co-owners section and, for the owner, "delete this room".
#[component]
pub fn RoomHosts(room: String) -> impl IntoView {
    let add = ServerAction::<server_fns::AddCoOwner>::new();
    let remove = ServerAction::<server_fns::RemoveCoOwner>::new();
    let add_error = action_error(add);
    let remove_error = action_error(remove);
    let list = {
        let room = room.clone();
        Resource::new(
            move || (room.clone(), add.version().get(), remove.version().get()),
            |(room, _, _)| server_fns::list_co_owners(room),
        )
    };
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let room = room.clone();
                list.get()
                    .and_then(Result::ok)
                    .map(|view| {
                        let owner = view.viewer_is_owner;
                        let me = view.viewer_id.clone();
                        let rows = view
                            .co_owners
                            .into_iter()
                            .map(|c| {
                                let leave = c.user_id == me;
                                let (room, id) = (room.clone(), c.user_id.clone());
                                let can_remove = owner || leave;
                                view! {
                                    <li class="px-4 py-2 text-sm flex justify-between" data-testid="co-owner">
                                        <span>{c.name}" · "{c.email}</span>
                                        <Show when=move || can_remove>
                                            <button
                                                type="button"
                                                class="text-red-700 underline"
                                                on:click={
                                                    let (room, id) = (room.clone(), id.clone());
                                                    move |_| {
                                                        remove.dispatch(server_fns::RemoveCoOwner {
                                                            room_name: room.clone(),
                                                            user_id: id.clone(),
                                                        });
                                                    }
                                                }
                                            >
                                                {if leave { "Leave this room" } else { "Remove" }}
                                            </button>
                                        </Show>
                                    </li>
                                }
                            })
                            .collect_view();
                        let (form_room, doomed_room) = (room.clone(), room.clone());
                        view! {
                            <section class="mt-8" data-testid="co-owners">
                                <h2 class="text-lg font-semibold mb-3">"Co-owners"</h2>
                                <p class="text-sm text-slate-700 mb-2">
                                    "Co-owners see what you see here and change the settings; only the owner deletes the room or changes this list."
                                </p>
                                <FormError error=remove_error/>
                                <ul class="divide-y divide-slate-200 bg-white rounded border border-slate-200 mb-3">
                                    {rows}
                                </ul>
                                {owner.then(|| view! {
                                    <ActionForm action=add>
                                        <FormError error=add_error/>
                                        <input type="hidden" name="room_name" value=form_room/>
                                        <Field
                                            label="Add a co-owner by email"
                                            name="email"
                                            kind="email"
                                            error=add_error
                                            hint="They need an account here first."
                                        />
                                        <button type="submit" class="rounded bg-indigo-600 text-white px-4 py-2">
                                            "Add co-owner"
                                        </button>
                                    </ActionForm>
                                    <crate::pages::DeleteRoom room=doomed_room/>
                                })}
                            </section>
                        }
                    })
            }}
        </Suspense>
    }
}
