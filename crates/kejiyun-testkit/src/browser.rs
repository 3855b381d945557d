//! Debian's headless Chromium driven through ChromeDriver (WebDriver), with flags that keep it
//! off the network: it only ever talks to the test server on loopback.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::{PASSWORD, TestApp, backends};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium with an empty profile.
    pub async fn start() -> anyhow::Result<Self> {
        for bin in [CHROMIUM, CHROMEDRIVER] {
            anyhow::ensure!(
                std::path::Path::new(bin).exists(),
                "{bin} is missing: apt-get install -y chromium chromium-driver (or set KEJIYUN_BROWSER_TESTS=skip)"
            );
        }
        // Both ring and aws-lc-rs are linked (through different crates): pick one explicitly.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let port = free_port()?;
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let profile = tempfile::tempdir()?;
        let mut caps = Capabilities::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=390,844",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..100 {
            match ClientBuilder::rustls()?
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Ok(Self {
                        client,
                        driver,
                        _profile: profile,
                    });
                }
                Err(e) => {
                    last = Some(e);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        anyhow::bail!("chromedriver did not start: {last:?}")
    }

    pub async fn goto(&self, url: &str) -> anyhow::Result<()> {
        Ok(self.client.goto(url).await?)
    }

    /// Types into the input named `name`.
    pub async fn fill(&self, name: &str, value: &str) -> anyhow::Result<()> {
        let el = self
            .client
            .find(Locator::Css(&format!("[name=\"{name}\"]")))
            .await?;
        el.clear().await?;
        el.send_keys(value).await?;
        Ok(())
    }

    /// Clicks an element after scrolling it to the middle of the screen, as a person scrolls
    /// what they tap into view: WebDriver alone scrolls it to the bottom edge, where the
    /// phone layout's tab bar covers it.
    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        let el = self.client.find(Locator::Css(css)).await?;
        self.tap(&el).await
    }

    /// [`Browser::click`] for an element already found.
    pub async fn tap(&self, el: &fantoccini::elements::Element) -> anyhow::Result<()> {
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center'});",
                vec![serde_json::to_value(el)?],
            )
            .await?;
        el.click().await?;
        Ok(())
    }

    /// Waits (up to 10 s) for an element and returns it.
    pub async fn wait_for(&self, css: &str) -> anyhow::Result<fantoccini::elements::Element> {
        Ok(self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await?)
    }

    /// Sets the form field named `name`: selects `value` in a `<select>`, types it into any
    /// other field (after clearing it).
    pub async fn set_field(&self, name: &str, value: &str) -> anyhow::Result<()> {
        let el = self
            .client
            .find(Locator::Css(&format!("[name=\"{name}\"]")))
            .await?;
        if el.tag_name().await? == "select" {
            el.select_by_value(value).await?;
        } else {
            el.clear().await?;
            el.send_keys(value).await?;
        }
        Ok(())
    }

    /// Registers `login` (password [`PASSWORD`]) as `display_name` of `region` through the
    /// registration page, and waits until logged in.
    pub async fn register(
        &self,
        app: &TestApp,
        login: &str,
        display_name: &str,
        region: &str,
    ) -> anyhow::Result<()> {
        self.goto(&app.url("/register")).await?;
        self.set_field("login", login).await?;
        self.click("#register-send").await?;
        self.wait_for("#register-form").await?;
        let code = app
            .sent
            .last_code(login)
            .ok_or_else(|| anyhow::anyhow!("no registration code was sent to {login}"))?;
        self.set_field("code", &code).await?;
        self.set_field("password", PASSWORD).await?;
        self.set_field("display_name", display_name).await?;
        self.set_field("region", region).await?;
        self.click("#register-submit").await?;
        self.wait_for("#logout").await?;
        Ok(())
    }

    /// Logs in as `login` (password [`PASSWORD`]) through the login page, and through its
    /// second step (动态口令) for an account enrolled by the test kit (admins).
    pub async fn login(&self, app: &TestApp, login: &str) -> anyhow::Result<()> {
        self.goto(&app.url("/login")).await?;
        self.set_field("login", login).await?;
        self.set_field("password", PASSWORD).await?;
        self.click("#login-submit").await?;
        self.wait_for("#logout, #second-factor-code").await?;
        if self
            .client
            .find(Locator::Css("#second-factor-code"))
            .await
            .is_ok()
        {
            let code = crate::second_factor_code(login).await;
            self.set_field("code", &code).await?;
            self.click("#second-factor-submit").await?;
            self.wait_for("#logout").await?;
        }
        Ok(())
    }

    /// A phone's screen (390×844 CSS pixels), the size the browser starts with.
    pub async fn phone_size(&self) -> anyhow::Result<()> {
        Ok(self.client.set_window_size(390, 844).await?)
    }

    /// A county office's desktop screen.
    pub async fn desktop_size(&self) -> anyhow::Result<()> {
        Ok(self.client.set_window_size(1280, 900).await?)
    }

    /// Whether the element is on the first screen without scrolling (top of the page).
    pub async fn on_first_screen(&self, css: &str) -> anyhow::Result<bool> {
        let el = self.client.find(Locator::Css(css)).await?;
        let fits = self
            .client
            .execute(
                "window.scrollTo(0, 0); const r = arguments[0].getBoundingClientRect(); \
                 return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;",
                vec![serde_json::to_value(el)?],
            )
            .await?;
        Ok(fits.as_bool().unwrap_or(false))
    }

    /// On a phone-sized window the main menu is folded behind 菜单: opens it.
    pub async fn open_menu(&self) -> anyhow::Result<()> {
        let button = self.client.find(Locator::Css("#menu-button")).await?;
        if button.is_displayed().await?
            && button.attr("aria-expanded").await?.as_deref() != Some("true")
        {
            self.tap(&button).await?;
        }
        Ok(())
    }

    /// Logs out, and waits until the logout has landed (or the next navigation may overtake
    /// it).
    pub async fn logout(&self) -> anyhow::Result<()> {
        self.open_menu().await?;
        self.click("#logout").await?;
        self.wait_for("a[href=\"/login\"]").await?;
        Ok(())
    }

    /// Prints the current path and the first `chars` characters of the page (after a failure).
    pub async fn print_page(&self, chars: usize) {
        if let Ok(src) = self.client.source().await {
            eprintln!(
                "page at failure ({}):\n{}",
                self.current_path().await.unwrap_or_default(),
                src.chars().take(chars).collect::<String>()
            );
        }
    }

    pub async fn current_path(&self) -> anyhow::Result<String> {
        Ok(self.client.current_url().await?.path().to_owned())
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

/// Whether browser tests are switched off (`KEJIYUN_BROWSER_TESTS=skip`).
pub fn skipped() -> bool {
    std::env::var("KEJIYUN_BROWSER_TESTS").is_ok_and(|v| v == "skip")
}

/// Runs `scenario` once per configured backend, each time against a fresh server and in a fresh
/// Chromium; a failed run prints the page (its first `page_chars` characters) and panics.
/// `what` names the test in the messages (`browser`, `browser market`). Nothing runs, with a
/// message, when browser tests are [`skipped`].
/// Runs a browser scenario once, on SQLite (pages that read the same on every backend).
pub async fn run_once(
    what: &str,
    scenario: impl AsyncFn(&TestApp, &Browser) -> anyhow::Result<()>,
) {
    if skipped() {
        eprintln!("browser tests skipped (KEJIYUN_BROWSER_TESTS=skip)");
        return;
    }
    let app = TestApp::spawn().await;
    let b = Browser::start().await.unwrap_or_else(|e| panic!("{e:#}"));
    let result = scenario(&app, &b).await;
    b.close().await;
    app.stop().await;
    result.unwrap_or_else(|e| panic!("{what}: {e:#}"));
}

pub async fn run_on_every_backend(
    what: &str,
    page_chars: usize,
    scenario: impl AsyncFn(&TestApp, &Browser) -> anyhow::Result<()>,
) {
    if skipped() {
        eprintln!("browser tests skipped (KEJIYUN_BROWSER_TESTS=skip)");
        return;
    }
    for backend in backends() {
        eprintln!("{what} test: backend={}", backend.name());
        let app = TestApp::spawn_on(backend).await;
        let b = Browser::start().await.unwrap_or_else(|e| panic!("{e:#}"));
        let result = scenario(&app, &b).await;
        if result.is_err() {
            b.print_page(page_chars).await;
        }
        b.close().await;
        app.stop().await;
        result.unwrap_or_else(|e| panic!("{what} scenario on {}: {e:#}", backend.name()));
    }
}
