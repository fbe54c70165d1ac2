use crate::components::{action_error, Field, FormError};
use crate::AuthActions;
use leptos::prelude::*;

/// Sign-up form.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = expect_context::<AuthActions>().sign_up;
    let error = action_error(action);
    let return_to = return_to();
    view! {
        <h1 class="text-2xl font-bold mb-6">"Create your account"</h1>
        <ActionForm action=action>
            <FormError error=error/>
            <input type="hidden" name="return_to" value=return_to/>
            <Field label="Name" name="name" error=error/>
            <Field label="Email" name="email" kind="email" error=error/>
            <Field
                label="Password"
                name="password"
                kind="password"
                error=error
                hint="At least 8 characters."
            />
            <button type="submit" class="rounded bg-indigo-600 text-white px-4 py-2">
                "Sign up"
            </button>
        </ActionForm>
        <p class="mt-6 text-sm">
            "Have an account? " <a href="/login" class="text-indigo-700 underline">"Sign in"</a>
        </p>
    }
}

/// Sign-in: the organization's button when a provider is configured, and the email and
/// password form unless local accounts are off.
#[component]
pub fn SignInPage() -> impl IntoView {
    let action = expect_context::<AuthActions>().sign_in;
    let error = action_error(action);
    let options = Resource::new(|| (), |_| crate::server_fns::sign_in_options());
    // Copy, so the form can be built again whenever the options change.
    let return_to = StoredValue::new(return_to());
    // `/login?return_to=/rooms/x/settings` comes back there (the server checks it is a
    // page of this site).
    let query = leptos_router::hooks::use_query_map();
    let provider_href = move |login: &str| {
        let back = query
            .read()
            .get("return_to")
            .unwrap_or_else(|| "/rooms".to_string());
        format!("{login}?return_to={}", encode_component(&back))
    };
    view! {
        <h1 class="text-2xl font-bold mb-6">"Sign in"</h1>
        <Suspense fallback=|| ()>
            {move || {
                options
                    .get()
                    .and_then(Result::ok)
                    .and_then(|o| o.provider_label.zip(o.provider_login_path))
                    .map(|(label, login)| {
                        view! {
                            <a
                                href=provider_href(&login)
                                rel="external"
                                data-testid="oidc-sign-in"
                                class="inline-block rounded bg-slate-800 text-white px-4 py-2 mb-6"
                            >
                                {label}
                            </a>
                        }
                    })
            }}
        </Suspense>
        <Show when=move || {
            options.get().and_then(Result::ok).is_none_or(|o| o.local_accounts)
        }>
            <ActionForm action=action>
                <FormError error=error/>
                <input type="hidden" name="return_to" value=return_to.get_value()/>
                <Field label="Email" name="email" kind="email" error=error/>
                <Field label="Password" name="password" kind="password" error=error/>
                <button type="submit" class="rounded bg-indigo-600 text-white px-4 py-2">
                    "Sign in"
                </button>
            </ActionForm>
            <p class="mt-6 text-sm">
                "New here? "
                <a href="/signup" class="text-indigo-700 underline">
                    "Create an account"
                </a>
            </p>
        </Show>
    }
}

/// The page's `?return_to=` (where to go once signed in; the server checks it is a page
/// of this site), or empty.
fn return_to() -> String {
    leptos_router::hooks::use_query_map()
        .read_untracked()
        .get("return_to")
        .unwrap_or_default()
}

/// `text` percent-encoded for a query parameter's value.
fn encode_component(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::encode_component;

    #[test]
    fn a_return_address_survives_the_query_string() {
        assert_eq!(encode_component("/rooms/x/settings"), "/rooms/x/settings");
        assert_eq!(encode_component("/room/a?b=c&d"), "/room/a%3Fb%3Dc%26d");
    }
}
