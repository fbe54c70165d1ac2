//! Small shared components.

use crate::dto::AppError;
use crate::server_fns;
use crate::AuthActions;
use leptos::prelude::*;

/// The top bar: brand, and sign-in links or the user's menu.
#[component]
pub fn NavBar() -> impl IntoView {
    let auth = expect_context::<AuthActions>();
    let me = Resource::new(
        move || {
            (
                auth.sign_up.version().get(),
                auth.sign_in.version().get(),
                auth.sign_out.version().get(),
            )
        },
        |_| server_fns::get_me(),
    );
    view! {
        <header class="bg-white border-b border-slate-200">
            <nav class="max-w-3xl mx-auto px-4 py-3 flex items-center gap-4">
                <a href="/" class="font-semibold text-indigo-700 text-lg">"roomcal"</a>
                <span class="flex-1"></span>
                <Transition fallback=|| ()>
                    {move || {
                        me.get()
                            .map(|me| match me {
                                Ok(Some(user)) => {
                                    view! {
                                        <a href="/rooms" class="text-slate-700 underline">
                                            "My rooms"
                                        </a>
                                        <a href="/account" class="text-slate-700 underline" data-testid="account-link">
                                            "Account"
                                        </a>
                                        <span class="text-slate-500 text-sm" data-testid="whoami">
                                            {user.name}
                                        </span>
                                        <ActionForm action=auth.sign_out>
                                            <button
                                                type="submit"
                                                class="text-sm text-slate-600 underline"
                                            >
                                                "Sign out"
                                            </button>
                                        </ActionForm>
                                    }
                                        .into_any()
                                }
                                _ => {
                                    view! {
                                        <a href="/login" class="text-slate-700 underline">
                                            "Sign in"
                                        </a>
                                        <a
                                            href="/signup"
                                            class="rounded bg-indigo-600 text-white px-3 py-1"
                                        >
                                            "Sign up"
                                        </a>
                                    }
                                        .into_any()
                                }
                            })
                    }}
                </Transition>
            </nav>
        </header>
    }
}

/// A labelled text input with its field error underneath.
#[component]
pub fn Field(
    /// Label text.
    label: &'static str,
    /// Input name (must match the server function argument).
    name: &'static str,
    /// Input type (`text`, `email`, `password`).
    #[prop(default = "text")]
    kind: &'static str,
    /// The last error of the form, if any.
    #[prop(into)]
    error: Signal<Option<AppError>>,
    /// Help text under the input.
    #[prop(optional)]
    hint: Option<&'static str>,
) -> impl IntoView {
    let message = move || error.get().and_then(|e| e.field(name));
    view! {
        <label class="block mb-4">
            <span class="block text-sm font-medium text-slate-700 mb-1">{label}</span>
            <input
                type=kind
                name=name
                required
                class="w-full rounded border border-slate-300 px-3 py-2 focus:outline-none focus:ring-2 focus:ring-indigo-500"
            />
            {hint.map(|h| view! { <span class="block text-xs text-slate-500 mt-1">{h}</span> })}
            <span class="block text-sm text-red-700 mt-1" data-field-error=name>
                {message}
            </span>
        </label>
    }
}

/// A form-level error banner (for errors not tied to one field).
#[component]
pub fn FormError(
    /// The last error of the form, if any.
    #[prop(into)]
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|e| e.fields.is_empty())
            .map(|e| {
                view! {
                    <p role="alert" class="mb-4 rounded bg-red-50 border border-red-200 px-3 py-2 text-red-800">
                        {e.message}
                    </p>
                }
            })
    }
}

/// The error of an action's last run, as a signal.
pub fn action_error<I, O>(action: ServerAction<I>) -> Signal<Option<AppError>>
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(|r| r.err()))
}

/// "Add to calendar": one meeting or occurrence as an .ics download.
#[component]
pub fn AddToCalendar(room_name: String, id: String) -> impl IntoView {
    view! {
        <a
            href=format!("/room/{room_name}/{id}/event.ics")
            download=""
            class="text-indigo-700 underline text-sm ml-3"
            data-testid="add-to-calendar"
        >
            "Add to calendar"
        </a>
    }
}
