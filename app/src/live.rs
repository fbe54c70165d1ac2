//! Live updates for the pages: a room's event stream (`GET /v1/rooms/{room}/events`),
//! with polling as the fallback.
//!
//! [`live_refresh`] calls the page's refresh when the stream says the room changed. The
//! events carry no titles or names, so the page refetches through its server functions,
//! which apply the privacy rules. Polling goes on beside it: every `poll` while no stream
//! is open (the browser has no `EventSource`, the stream failed or is reconnecting), every
//! [`SLOW_POLL_FACTOR`] × `poll` while it is healthy — a missed event costs at most that.
//!
//! **Turning polling off** (browser tests of the stream alone): open the page with
//! `?poll=off` in its address; the stream is then the only way the page learns of changes.

/// While the stream is healthy the page still polls, this many times less often.
pub const SLOW_POLL_FACTOR: u32 = 10;

/// The event names the stream sends (see the server's `api::events`).
pub const EVENT_NAMES: [&str; 8] = [
    "meeting_created",
    "meeting_started",
    "meeting_changed",
    "meeting_ended",
    "participants",
    "calendar_synced",
    "knock_changed",
    "refetch",
];

/// Calls `refresh` when room `room`'s stream reports a change, and on the polling
/// schedule described in the module documentation, until the calling component is cleaned
/// up. On the server it does nothing.
pub fn live_refresh(room: String, poll: std::time::Duration, refresh: impl Fn() + Clone + 'static) {
    #[cfg(feature = "hydrate")]
    hydrate::live_refresh(room, poll, refresh);
    #[cfg(not(feature = "hydrate"))]
    let _ = (room, poll, refresh);
}

/// Whether the page was opened with `?poll=off` (no timer-driven asking at all). Always
/// `false` on the server.
pub fn polling_off() -> bool {
    #[cfg(feature = "hydrate")]
    return web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|search| {
            search
                .trim_start_matches('?')
                .split('&')
                .any(|pair| pair == "poll=off")
        });
    #[cfg(not(feature = "hydrate"))]
    false
}

#[cfg(feature = "hydrate")]
mod hydrate {
    use super::{polling_off, EVENT_NAMES, SLOW_POLL_FACTOR};
    use leptos::prelude::*;
    use send_wrapper::SendWrapper;
    use std::cell::Cell;
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    /// The open stream and the callbacks it holds; closed when the page goes.
    struct Stream {
        source: web_sys::EventSource,
        _callbacks: Vec<Closure<dyn FnMut(web_sys::Event)>>,
    }

    /// Opens the stream of `room`; `healthy` says whether it is open right now.
    fn open(
        room: &str,
        healthy: Rc<Cell<bool>>,
        refresh: impl Fn() + Clone + 'static,
    ) -> Option<Stream> {
        let source = web_sys::EventSource::new(&format!("/v1/rooms/{room}/events")).ok()?;
        let mut callbacks = Vec::new();
        for name in EVENT_NAMES {
            let refresh = refresh.clone();
            let callback = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| refresh());
            let _ =
                source.add_event_listener_with_callback(name, callback.as_ref().unchecked_ref());
            callbacks.push(callback);
        }
        let up = healthy.clone();
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| up.set(true));
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        callbacks.push(on_open);
        // The browser reconnects by itself (sending Last-Event-ID); until then, poll.
        let down = healthy;
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| down.set(false));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        callbacks.push(on_error);
        Some(Stream {
            source,
            _callbacks: callbacks,
        })
    }

    pub(super) fn live_refresh(
        room: String,
        poll: std::time::Duration,
        refresh: impl Fn() + Clone + 'static,
    ) {
        let healthy = Rc::new(Cell::new(false));
        let stream = open(&room, healthy.clone(), refresh.clone());
        let off = polling_off();
        let ticks = Cell::new(0u32);
        let tick = move || {
            if off {
                return;
            }
            let n = ticks.get().wrapping_add(1);
            ticks.set(n);
            if !healthy.get() || n.is_multiple_of(SLOW_POLL_FACTOR) {
                refresh();
            }
        };
        let tick = SendWrapper::new(tick);
        let interval = set_interval_with_handle(move || (*tick)(), poll).ok();
        let stream = SendWrapper::new(stream);
        on_cleanup(move || {
            if let Some(handle) = interval {
                handle.clear();
            }
            if let Some(stream) = stream.take() {
                stream.source.close();
            }
        });
    }
}
