use leptos::prelude::*;

/// The landing page.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <section class="py-10">
            <h1 class="text-3xl font-bold mb-4">"Meeting rooms that follow your calendar"</h1>
            <p class="text-slate-700 mb-6">
                "Give every team a stable room address. Put it in a calendar event and roomcal "
                "opens the meeting on time; or start one right now."
            </p>
            <div class="flex gap-3">
                <a href="/signup" class="rounded bg-indigo-600 text-white px-4 py-2">"Create an account"</a>
                <a href="/rooms" class="rounded border border-slate-300 px-4 py-2">"My rooms"</a>
            </div>
        </section>
    }
}
