use crate::response::set_status;
use leptos::prelude::*;

/// The page for addresses that lead nowhere (HTTP 404).
#[component]
pub fn NotFound(
    /// What was not found, for the reader.
    #[prop(optional, into)]
    message: Option<String>,
) -> impl IntoView {
    set_status(404);
    view! {
        <section class="py-10" data-testid="not-found">
            <h1 class="text-2xl font-bold mb-2">"Not found"</h1>
            <p class="text-slate-700 mb-4">
                {message.unwrap_or_else(|| "There is nothing at this address.".into())}
            </p>
            <a href="/" class="text-indigo-700 underline">"Go to the start page"</a>
        </section>
    }
}
