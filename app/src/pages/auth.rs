use crate::components::{action_error, Field, FormError};
use crate::AuthActions;
use leptos::prelude::*;

/// Sign-up form.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = expect_context::<AuthActions>().sign_up;
    let error = action_error(action);
    view! {
        <h1 class="text-2xl font-bold mb-6">"Create your account"</h1>
        <ActionForm action=action>
            <FormError error=error/>
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

/// Sign-in form.
#[component]
pub fn SignInPage() -> impl IntoView {
    let action = expect_context::<AuthActions>().sign_in;
    let error = action_error(action);
    view! {
        <h1 class="text-2xl font-bold mb-6">"Sign in"</h1>
        <ActionForm action=action>
            <FormError error=error/>
            <Field label="Email" name="email" kind="email" error=error/>
            <Field label="Password" name="password" kind="password" error=error/>
            <button type="submit" class="rounded bg-indigo-600 text-white px-4 py-2">
                "Sign in"
            </button>
        </ActionForm>
        <p class="mt-6 text-sm">
            "New here? " <a href="/signup" class="text-indigo-700 underline">"Create an account"</a>
        </p>
    }
}
