//! `roomcal user add EMAIL [--name NAME]`: the operator creates an account, for instances
//! whose sign-up is closed (`--signup closed`). The password comes from standard input —
//! prompted for without echo on a terminal, read as the first line when piped — never from
//! the command line, where `ps` and shell histories would show it.

use crate::config::UserAddArgs;
use crate::state;
use roomcal::secret::Secret;
use roomcal::services::accounts::{add_account, SignUp};
use roomcal::CoreError;
use std::io::{BufRead, IsTerminal};

/// Runs the command; `Ok` is the line for stdout, `Err` the one-line message for stderr.
pub async fn add(args: &UserAddArgs) -> Result<String, String> {
    let password = read_password()?;
    let name = args.name.clone().unwrap_or_else(|| {
        args.email
            .split('@')
            .next()
            .unwrap_or(&args.email)
            .to_string()
    });
    let store = state::open_database(&args.database.database_url())
        .await
        .map_err(|e| e.to_string())?;
    let input = SignUp {
        email: args.email.clone(),
        name,
        password,
    };
    let result = add_account(store.as_ref(), &input, chrono::Utc::now()).await;
    store.close().await;
    match result {
        Ok(user) => Ok(format!(
            "created the account {} ({}); it signs in with this email and password",
            user.email, user.display_name
        )),
        Err(CoreError::Validation { fields }) => Err(fields
            .iter()
            .map(|(field, message)| match field.as_str() {
                "name" => format!("--name: {message}"),
                "password" => format!("password: {message}"),
                _ => format!("{field}: {message}"),
            })
            .collect::<Vec<_>>()
            .join("; ")),
        Err(err) => Err(err.to_string()),
    }
}

/// The password: asked for twice without echo on a terminal, else the first line of
/// standard input.
fn read_password() -> Result<Secret, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password for the new account: ")
            .map_err(|e| format!("cannot read the password: {e}"))?;
        let again = rpassword::prompt_password("The same password again: ")
            .map_err(|e| format!("cannot read the password: {e}"))?;
        if first != again {
            return Err("the two passwords differ; run the command again".into());
        }
        return Ok(Secret::from(first));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        return Err(
            "no password given: type it at the prompt, or pipe it in (e.g. `printf '%s\\n' \"$PW\" | roomcal user add …`)"
                .into(),
        );
    }
    Ok(Secret::from(password))
}
