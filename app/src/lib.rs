//! roomcal's pages, components and server functions (Leptos). Compiled twice: with `ssr`
//! into the server, with `hydrate` into the browser's WASM.

#![cfg_attr(test, allow(clippy::unwrap_used))]
// The pages' view types nest deeply; the compiler needs room to lay them out.
#![recursion_limit = "256"]

pub mod components;
pub mod dto;
pub mod live;
pub mod pages;
pub mod response;
pub mod server_fns;
pub mod time;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    ParamSegment, SsrMode, StaticSegment,
};

/// The HTML document around the app (server side only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body class="bg-slate-50 text-slate-900 min-h-screen">
                <App/>
            </body>
        </html>
    }
}

/// Actions that change who is signed in; the navigation bar refetches after each.
#[derive(Clone, Copy)]
pub struct AuthActions {
    /// Sign-up form submissions.
    pub sign_up: ServerAction<server_fns::SignUp>,
    /// Sign-in form submissions.
    pub sign_in: ServerAction<server_fns::SignIn>,
    /// Sign-out button presses.
    pub sign_out: ServerAction<server_fns::SignOut>,
}

/// The application: navigation and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let auth = AuthActions {
        sign_up: ServerAction::new(),
        sign_in: ServerAction::new(),
        sign_out: ServerAction::new(),
    };
    provide_context(auth);
    // Effects never run on the server: this flips only once the WASM has hydrated the page,
    // which is what browser tests wait for before clicking.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    view! {
        <Stylesheet id="leptos" href="/pkg/roomcal.css"/>
        <Title text="roomcal"/>
        <Router>
            <div id="app" data-hydrated=move || hydrated.get().to_string()>
                <components::NavBar/>
                <main class="max-w-3xl mx-auto px-4 py-8">
                    <Routes fallback=|| view! { <pages::NotFound/> }>
                        <Route path=StaticSegment("") view=pages::HomePage/>
                        <Route path=StaticSegment("signup") view=pages::SignUpPage/>
                        <Route path=StaticSegment("login") view=pages::SignInPage/>
                        <Route path=StaticSegment("rooms") view=pages::MyRoomsPage/>
                        <Route path=StaticSegment("account") view=pages::AccountPage/>
                        <Route
                            path=(StaticSegment("rooms"), ParamSegment("name"), StaticSegment("settings"))
                            view=pages::SettingsPage
                        />
                        // Async: the status code (404, 410) is known before headers go out.
                        <Route
                            path=(StaticSegment("room"), ParamSegment("name"))
                            view=pages::RoomPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(
                                StaticSegment("room"),
                                ParamSegment("name"),
                                ParamSegment("meeting_id"),
                            )
                            view=pages::MeetingPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=(
                                StaticSegment("room"),
                                ParamSegment("name"),
                                StaticSegment("event"),
                                ParamSegment("event_id"),
                            )
                            view=pages::WaitingPage
                        />
                    </Routes>
                </main>
            </div>
        </Router>
    }
}
