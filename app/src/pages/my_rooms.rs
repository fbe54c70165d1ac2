use crate::components::{action_error, Field, FormError};
use crate::server_fns;
use leptos::prelude::*;

/// The signed-in user's rooms and a form to create one.
#[component]
pub fn MyRoomsPage() -> impl IntoView {
    let create = ServerAction::<server_fns::CreateRoom>::new();
    let error = action_error(create);
    let rooms = Resource::new(
        move || create.version().get(),
        |_| server_fns::list_my_rooms(),
    );
    view! {
        <h1 class="text-2xl font-bold mb-6">"My rooms"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                rooms
                    .get()
                    .map(|result| match result {
                        Ok(list) if list.is_empty() => {
                            view! {
                                <p class="text-slate-600 mb-6">
                                    "You have no rooms yet. Create the first one below."
                                </p>
                            }
                                .into_any()
                        }
                        Ok(list) => {
                            view! {
                                <ul class="mb-8 divide-y divide-slate-200 bg-white rounded border border-slate-200" data-testid="room-list">
                                    {list
                                        .into_iter()
                                        .map(|room| {
                                            view! {
                                                <li class="px-4 py-3 flex justify-between">
                                                    <a
                                                        href=format!("/room/{}", room.name)
                                                        class="text-indigo-700 font-medium underline"
                                                    >
                                                        {room.name.clone()}
                                                    </a>
                                                    {(room.role == "co_owner").then(|| view! {
                                                        <span class="text-sm text-slate-600" data-testid="co-owned">"co-owner"</span>
                                                    })}
                                                    <span class="text-slate-500 text-sm">{room.url}</span>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(e) if e.status == 401 => {
                            view! {
                                <p class="mb-6">
                                    <a href="/login" class="text-indigo-700 underline">"Sign in"</a>
                                    " to see your rooms."
                                </p>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <p role="alert">{e.message}</p> }.into_any(),
                    })
            }}
        </Suspense>
        <h2 class="text-lg font-semibold mb-3">"Create a room"</h2>
        <ActionForm action=create>
            <FormError error=error/>
            <Field
                label="Room name"
                name="name"
                error=error
                hint="Lowercase letters, digits and dashes, e.g. team-standup."
            />
            <button type="submit" class="rounded bg-indigo-600 text-white px-4 py-2">
                "Create room"
            </button>
        </ActionForm>
    }
}
