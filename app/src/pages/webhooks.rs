//! The settings page's webhooks section: the room's endpoints with their status (and why
//! roomcal turned one off), add one (its secret shown this once), send a test event,
//! switch on or off, rotate the secret, remove; and each endpoint's delivery log with
//! "redeliver".

use crate::components::{action_error, Field, FormError};
use crate::dto::WebhookEndpointDto;
use crate::server_fns;
use leptos::prelude::*;

/// The webhooks section of room `room`'s settings.
#[component]
pub fn RoomWebhooks(room: String) -> impl IntoView {
    let add = ServerAction::<server_fns::AddWebhook>::new();
    let remove = ServerAction::<server_fns::RemoveWebhook>::new();
    let toggle = ServerAction::<server_fns::SetWebhookEnabled>::new();
    let rotate = ServerAction::<server_fns::RotateWebhookSecret>::new();
    let test = ServerAction::<server_fns::TestWebhook>::new();
    let redeliver = ServerAction::<server_fns::RedeliverWebhook>::new();
    let add_error = action_error(add);
    let list = {
        let room = room.clone();
        Resource::new(
            move || {
                (
                    room.clone(),
                    add.version().get(),
                    remove.version().get(),
                    toggle.version().get(),
                    rotate.version().get(),
                )
            },
            |(room, ..)| server_fns::list_webhooks(room),
        )
    };
    // The secret of the endpoint just made or re-keyed: shown once, here.
    let fresh_secret = move || {
        add.value()
            .get()
            .and_then(Result::ok)
            .or_else(|| rotate.value().get().and_then(Result::ok))
            .and_then(|e| e.secret.map(|s| (e.url, s)))
    };
    let actions = Actions {
        remove,
        toggle,
        rotate,
        test,
        redeliver,
    };
    let form_room = room.clone();
    view! {
        <section class="mt-8" data-testid="webhooks">
            <h2 class="text-lg font-semibold mb-3">"Webhooks"</h2>
            <p class="text-sm text-slate-700 mb-2">
                "roomcal POSTs meeting and calendar events to these addresses, signed the Standard Webhooks way (up to 5)."
            </p>
            {move || fresh_secret().map(|(url, secret)| view! {
                <div role="status" class="mb-3 rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm" data-testid="webhook-secret">
                    <p>"The signing secret of "{url}" — copy it now, it is not shown again:"</p>
                    <code class="break-all">{secret}</code>
                </div>
            })}
            <Suspense fallback=|| ()>
                {move || {
                    let room = room.clone();
                    list.get().and_then(Result::ok).map(|endpoints| {
                        endpoints
                            .into_iter()
                            .map(|e| view! { <Endpoint room=room.clone() endpoint=e actions=actions/> })
                            .collect_view()
                    })
                }}
            </Suspense>
            <ActionForm action=add attr:class="mt-3">
                <FormError error=add_error/>
                <input type="hidden" name="room_name" value=form_room/>
                <Field
                    label="Add an endpoint"
                    name="url"
                    kind="url"
                    error=add_error
                    hint="https://… — it gets meeting.created, started, ended, extended and the calendar's sync failures."
                />
                <label class="block text-sm mb-1">
                    <input type="checkbox" name="participants" value="on"/>
                    " Also participant.joined / participant.left (head counts)"
                </label>
                <label class="block text-sm mb-3">
                    <input type="checkbox" name="owners_system" value="on"/>
                    " This is my own system: include participants' names"
                </label>
                <button type="submit" class="rounded bg-indigo-600 text-white px-4 py-2">"Add endpoint"</button>
            </ActionForm>
        </section>
    }
}

/// The actions every endpoint row dispatches.
#[derive(Clone, Copy)]
struct Actions {
    remove: ServerAction<server_fns::RemoveWebhook>,
    toggle: ServerAction<server_fns::SetWebhookEnabled>,
    rotate: ServerAction<server_fns::RotateWebhookSecret>,
    test: ServerAction<server_fns::TestWebhook>,
    redeliver: ServerAction<server_fns::RedeliverWebhook>,
}

/// One endpoint: its address, events and status, its buttons and its delivery log.
#[component]
fn Endpoint(room: String, endpoint: WebhookEndpointDto, actions: Actions) -> impl IntoView {
    let id = endpoint.id.clone();
    let enabled = endpoint.enabled;
    let status = match endpoint.status.as_str() {
        "ok" => "working",
        "failing" => "failing — retrying",
        _ => "off",
    };
    let button = "rounded border border-slate-300 px-2 py-1 text-sm";
    let on_test = {
        let (room, id) = (room.clone(), id.clone());
        move |_| {
            actions.test.dispatch(server_fns::TestWebhook {
                room_name: room.clone(),
                id: id.clone(),
            });
        }
    };
    let on_toggle = {
        let (room, id) = (room.clone(), id.clone());
        move |_| {
            actions.toggle.dispatch(server_fns::SetWebhookEnabled {
                room_name: room.clone(),
                id: id.clone(),
                enabled: !enabled,
            });
        }
    };
    let on_rotate = {
        let (room, id) = (room.clone(), id.clone());
        move |_| {
            actions.rotate.dispatch(server_fns::RotateWebhookSecret {
                room_name: room.clone(),
                id: id.clone(),
            });
        }
    };
    let on_remove = {
        let (room, id) = (room.clone(), id.clone());
        move |_| {
            actions.remove.dispatch(server_fns::RemoveWebhook {
                room_name: room.clone(),
                id: id.clone(),
            });
        }
    };
    view! {
        <div class="mb-3 rounded border border-slate-200 bg-white px-4 py-3" data-testid="webhook-endpoint">
            <p class="font-mono text-sm break-all">{endpoint.url}</p>
            <p class="text-sm text-slate-700">
                <span data-testid="webhook-status">{status}</span>" · "{endpoint.events.join(", ")}
                {endpoint.owners_system.then_some(" · names included")}
            </p>
            {endpoint.disabled_reason.map(|why| view! {
                <p role="alert" class="text-sm text-red-800" data-testid="webhook-disabled-reason">{why}</p>
            })}
            <div class="mt-2 flex flex-wrap gap-2">
                <button type="button" class=button on:click=on_test data-testid="webhook-test">"Send test event"</button>
                <button type="button" class=button on:click=on_toggle>
                    {if enabled { "Turn off" } else { "Turn on" }}
                </button>
                <button type="button" class=button on:click=on_rotate>"Rotate secret"</button>
                <button type="button" class="rounded border border-red-300 text-red-800 px-2 py-1 text-sm" on:click=on_remove>
                    "Remove"
                </button>
            </div>
            <DeliveryLog room=room endpoint=id actions=actions/>
        </div>
    }
}

/// An endpoint's last deliveries, refreshed after a test or a redelivery and on request.
#[component]
fn DeliveryLog(room: String, endpoint: String, actions: Actions) -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let log = {
        let (room, endpoint) = (room.clone(), endpoint.clone());
        Resource::new(
            move || {
                (
                    room.clone(),
                    endpoint.clone(),
                    refresh.get(),
                    actions.test.version().get(),
                    actions.redeliver.version().get(),
                )
            },
            |(room, id, ..)| server_fns::webhook_log(room, id),
        )
    };
    view! {
        <details class="mt-2 text-sm" data-testid="webhook-log">
            <summary class="cursor-pointer">"Delivery log"</summary>
            <button type="button" class="underline my-1" on:click=move |_| refresh.update(|n| *n += 1)>
                "Refresh"
            </button>
            <Suspense fallback=|| ()>
                {move || {
                    let room = room.clone();
                    log.get().and_then(Result::ok).map(|entries| {
                        if entries.is_empty() {
                            return view! { <p class="text-slate-600">"Nothing sent yet."</p> }.into_any();
                        }
                        let rows = entries
                            .into_iter()
                            .map(|d| {
                                let (room, delivery) = (room.clone(), d.id.clone());
                                let answer = match (d.response_status, d.error.clone()) {
                                    (Some(code), None) => format!("HTTP {code}"),
                                    (_, Some(error)) => error,
                                    (None, None) => "not tried yet".into(),
                                };
                                let latency = d.latency_ms.map(|ms| format!("{ms} ms")).unwrap_or_default();
                                view! {
                                    <tr data-testid="webhook-delivery">
                                        <td class="pr-2">{d.event_type}</td>
                                        <td class="pr-2" data-testid="webhook-delivery-state">{d.state}</td>
                                        <td class="pr-2">{answer}</td>
                                        <td class="pr-2">{latency}</td>
                                        <td>
                                            <button
                                                type="button"
                                                class="underline"
                                                on:click=move |_| {
                                                    actions.redeliver.dispatch(server_fns::RedeliverWebhook {
                                                        room_name: room.clone(),
                                                        delivery: delivery.clone(),
                                                    });
                                                }
                                            >
                                                "Redeliver"
                                            </button>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view();
                        view! {
                            <table class="w-full text-left">
                                <thead><tr><th>"Event"</th><th>"State"</th><th>"Answer"</th><th>"Time"</th><th></th></tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        }
                        .into_any()
                    })
                }}
            </Suspense>
        </details>
    }
}
