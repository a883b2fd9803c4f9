"""The dashboard in a real headless Chromium, driven by Selenium: the journeys of issue 7 (and the
hand-off review page of issue 8), from sign-in to approval, against a running hub and sandbox.
Started by scripts/browser-test.sh, which sets the environment below."""
import json
import os
import sys
import time
import urllib.request
from datetime import date, timedelta

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import Select, WebDriverWait

HUB = os.environ["HUB_URL"]
SANDBOX = os.environ["SANDBOX_URL"]
ADMIN = os.environ["SANDBOX_ADMIN_TOKEN"]
SHOTS = os.environ["SCREENSHOTS"]
API_TOKEN = os.environ["API_TOKEN"]
HUB_ADMIN = os.environ["HUB_ADMIN_TOKEN"]
SCIM_DJANGO = os.environ.get("SCIM_DJANGO_URL", "")
SCIM_TOKEN = os.environ.get("SCIM_TOKEN", "rollcall-test-scim")
SECRETS = [os.environ["OWNER_PASSWORD"], os.environ["VIEWER_PASSWORD"], ADMIN, "survey-secret-0001", API_TOKEN, SCIM_TOKEN, HUB_ADMIN]
steps = []


def sandbox(method, path, body=None):
    request = urllib.request.Request(SANDBOX + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": "Bearer " + ADMIN, "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"null")


def hub_api(method, path, body):
    request = urllib.request.Request(HUB.replace("localhost", "127.0.0.1") + path, method=method, data=json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer " + API_TOKEN, "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return response.status, json.loads(response.read())


def hub_get(path):
    request = urllib.request.Request(HUB.replace("localhost", "127.0.0.1") + path, headers={"Authorization": "Bearer " + API_TOKEN})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def step(name):
    steps.append(name)
    print(f"  ✓ {name}", flush=True)


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def page_text(driver):
    return driver.find_element(By.TAG_NAME, "body").text


def no_secrets(driver):
    html = driver.page_source
    for secret in SECRETS:
        check(secret not in html, f"a secret appears on {driver.current_url}")


def shot(driver, name):
    driver.save_screenshot(os.path.join(SHOTS, f"{len(steps):02d}-{name}.png"))


def fill(driver, name, value):
    field = driver.find_element(By.NAME, name)
    field.clear()
    field.send_keys(value)


def submit_button(driver, label):
    buttons = [b for b in driver.find_elements(By.TAG_NAME, "button") if b.text.strip() == label]
    check(buttons, f"no button {label!r} on {driver.current_url}: {page_text(driver)[:500]}")
    navigate(driver, buttons[0])


def mark_page(driver):
    driver.execute_script("window.__rollcallOldPage = true")


def wait_for_next_page(driver):
    """The marked page was replaced and the new one has loaded (a new page has a new window object).
    Errors while the browser is between pages are expected and ignored."""
    WebDriverWait(driver, 30, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script("return window.__rollcallOldPage === undefined && document.readyState === 'complete'"))


def navigate(driver, element):
    """Clicks a link or a submit button and waits for the next page."""
    mark_page(driver)
    element.click()
    wait_for_next_page(driver)


def follow(driver, text):
    navigate(driver, driver.find_element(By.LINK_TEXT, text))


def sign_in(driver, email, password):
    driver.get(HUB + "/sign-in")
    fill(driver, "email", email)
    fill(driver, "password", password)
    submit_button(driver, "Sign in")
    check("/connections" in driver.current_url, f"signed in lands on the connections, not {driver.current_url}")


def sign_out(driver):
    submit_button(driver, "Sign out")
    check("/sign-in" in driver.current_url, "signed out")


def open_connection(driver, name):
    driver.get(HUB + "/connections")
    follow(driver, name)


def eventually(driver, name, condition, message, seconds=30):
    """The hub's scheduler runs due connections by itself too, so a state is reached by whichever run
    comes first: reload the connection's page until it shows it (polling with a deadline)."""
    deadline = time.monotonic() + seconds
    while True:
        open_connection(driver, name)
        if condition():
            return
        check(time.monotonic() < deadline, message)
        time.sleep(0.5)


def sync_now(driver):
    """Sync now: the run's page, or a notice that the scheduler's run is under way (it does the work)."""
    submit_button(driver, "Sync now")
    text = page_text(driver)
    check("Synced." in text or "under way" in text, f"sync now answered: {text[:500]}")


def card(driver, title):
    return int(driver.find_element(By.XPATH, f"//div[@class='card'][span='{title}']/strong").text)


def main():
    options = Options()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000", "--disable-gpu"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(5)
    try:
        run(driver)
    except Exception:
        shot(driver, "failure")
        print("FAILED at", driver.current_url, "\n", page_text(driver)[:3000], file=sys.stderr)
        raise
    finally:
        driver.quit()
    print(f"browser test: {len(steps)} steps passed; screenshots in {SHOTS}")


def run(driver):
    # sign in (a wrong password first)
    driver.get(HUB + "/connections")
    check("/sign-in" in driver.current_url, "an anonymous visitor is sent to sign in")
    fill(driver, "email", "owner@browser.example")
    fill(driver, "password", "not-the-password")
    submit_button(driver, "Sign in")
    check("do not match an account" in page_text(driver), "a wrong password is explained")
    shot(driver, "sign-in")
    sign_in(driver, "owner@browser.example", os.environ["OWNER_PASSWORD"])
    step("sign in")

    # connect a source with a credential that may not read the department
    sandbox("POST", "/sandbox/credentials", {"client_id": "survey-client", "client_secret": "survey-secret-0001",
                                             "readable_attributes": ["first_name", "last_name", "email", "status", "hire_date",
                                                                     "termination_date", "position", "employment_type"]})
    driver.get(HUB + "/sources/new")
    fill(driver, "name", "Personio (sandbox)")
    Select(driver.find_element(By.NAME, "preset")).select_by_value("survey")
    fill(driver, "client_id", "survey-client")
    fill(driver, "client_secret", "survey-secret-0001")
    driver.find_element(By.TAG_NAME, "summary").click()
    fill(driver, "base_url", SANDBOX + "/v1")
    shot(driver, "connect-wizard")
    submit_button(driver, "Check and connect")
    status = driver.find_element(By.ID, "connection-status").text
    check("Not connected yet" in status and "Department" in status, f"the checklist names the department: {status}")
    check("Settings › Integrations › API credentials" in page_text(driver), "the checklist says where to fix it")
    no_secrets(driver)
    shot(driver, "checklist-missing-department")
    step("the checklist names the missing department")

    sandbox("PATCH", "/sandbox/credentials/survey-client", {"readable_attributes": [
        "first_name", "last_name", "email", "status", "hire_date", "termination_date", "position", "employment_type", "department"]})
    follow(driver, "Check again")
    check(driver.find_element(By.ID, "connection-status").text.startswith("Connected"), "Connected once fixed")
    shot(driver, "source-connected")
    step("fixed in the sandbox: Connected")

    # the Personio API the source reads through: v2 lists the v2 access it checked; then back to v1
    Select(driver.find_element(By.NAME, "api_version")).select_by_value("v2")
    submit_button(driver, "Save")
    check("Saved." in page_text(driver), "the API choice was saved")
    scopes = driver.find_element(By.ID, "v2-scopes")
    driver.execute_script("arguments[0].scrollIntoView()", scopes)
    check("personio:persons:read" in scopes.text and "granted" in scopes.text, f"the v2 access is listed: {scopes.text}")
    check(driver.find_element(By.ID, "connection-status").text.startswith("Connected"), "still connected through v2")
    check(Select(driver.find_element(By.NAME, "api_version")).first_selected_option.get_attribute("value") == "v2", "v2 is selected")
    shot(driver, "source-v2-access")
    Select(driver.find_element(By.NAME, "api_version")).select_by_value("v1")
    submit_button(driver, "Save")
    check("Saved." in page_text(driver) and "v2-scopes" not in driver.page_source, "back to v1, no v2 checklist")
    step("the source reads through v2 with its v2 access checked, then through v1 again")

    # a time-tracking connection, synced
    driver.get(HUB + "/connections/new")
    Select(driver.find_element(By.NAME, "preset")).select_by_value("time-tracking")
    fill(driver, "name", "Clockodo")
    submit_button(driver, "Create connection")
    check("Created." in page_text(driver), "the connection was created")
    sync_now(driver)
    eventually(driver, "Clockodo", lambda: card(driver, "Active") >= 20, "the people arrived")
    navigate(driver, driver.find_element(By.XPATH, "//tr[td[contains(., 'create')]]//a[starts-with(@href, '/runs/')]"))
    check("Person Operation Reason Outcome" in page_text(driver) and "create" in page_text(driver), "the run page lists the creates")
    shot(driver, "run")
    step("create a time-tracking connection and sync it")
    open_connection(driver, "Clockodo")
    people = driver.find_elements(By.CSS_SELECTOR, "table a[href^='/people/']")
    check(len(people) >= 20, f"the connection shows its people ({len(people)})")
    check("Operations per run" in page_text(driver), "the runs chart says what it shows")
    shot(driver, "connection")
    step("see the people")

    # terminate one in the sandbox, sync, see them archived with the reason
    someone = people[0].get_attribute("href").rsplit("/", 1)[1]
    someone_name = people[0].text
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    sandbox("POST", f"/sandbox/employees/{someone}/terminate", {"termination_date": yesterday})
    sync_now(driver)
    eventually(driver, "Clockodo", lambda: card(driver, "Archived") == 1, "the leaver was archived")
    follow(driver, someone_name)
    text = page_text(driver)
    check("archived" in text and "archive" in text, f"the person page shows them archived with the reason: {text}")
    shot(driver, "person-archived")
    step("terminated in Personio → archived with the reason")

    # a mass termination is held by the brake, then released
    open_connection(driver, "Clockodo")
    ids = [a.get_attribute("href").rsplit("/", 1)[1] for a in driver.find_elements(By.CSS_SELECTOR, "table a[href^='/people/']")]
    victims = [i for i in ids if i != someone][:12]
    for victim in victims:
        sandbox("POST", f"/sandbox/employees/{victim}/terminate", {"termination_date": yesterday})
    sync_now(driver)
    eventually(driver, "Clockodo", lambda: "Held by the deletion brake" in page_text(driver), "the brake held the batch")
    shot(driver, "held-batch")
    submit_button(driver, "Release")
    check("Released." in page_text(driver), "released")
    sync_now(driver)
    eventually(driver, "Clockodo", lambda: card(driver, "Archived") >= 13, "the released batch was carried out")
    check("Held by the deletion brake" not in page_text(driver), "nothing held any more")
    step("a held batch, released and carried out")

    # onboarding: import two drafts with a country and approve them
    driver.get(HUB + "/connections/new")
    Select(driver.find_element(By.NAME, "preset")).select_by_value("eor-onboarding")
    fill(driver, "name", "WorkMotion")
    submit_button(driver, "Create connection")
    sync_now(driver)
    eventually(driver, "WorkMotion", lambda: card(driver, "Drafts") >= 2, "drafts arrived")
    follow(driver, "Import and approve people")
    boxes = driver.find_elements(By.CSS_SELECTOR, "input[name='personio_ids[]']")
    check(len(boxes) >= 2, "drafts from Personio are listed")
    check("from Personio" in page_text(driver), "drafts are marked as coming from Personio")
    boxes[0].click()
    boxes[1].click()
    Select(driver.find_element(By.NAME, "country")).select_by_visible_text("Spain (ES)")
    shot(driver, "import")
    submit_button(driver, "Approve selected")
    check("Approved and provisioned." in page_text(driver) or "under way" in page_text(driver), f"approved: {page_text(driver)[:500]}")
    eventually(driver, "WorkMotion", lambda: card(driver, "Active") == 2, "the two approved people are active")
    step("import two drafts for ES and approve them")

    # WorkMotion's phone: a custom attribute, mapped by its label in the mapping editor, previewed, saved, in the feed
    open_connection(driver, "WorkMotion")
    follow(driver, "Mapping")
    check("Phone (dynamic_1001)" not in driver.page_source, "an attribute the credential does not read is not offered")
    sandbox("PATCH", "/sandbox/credentials/survey-client", {"readable_attributes": [
        "first_name", "last_name", "email", "status", "hire_date", "termination_date", "position", "employment_type", "department",
        "dynamic_1001"]})
    driver.refresh()
    rows = int(driver.find_element(By.NAME, "rows").get_attribute("value"))
    blank = rows - 3
    fill(driver, f"row{blank}_field", "phone")
    Select(driver.find_element(By.NAME, f"row{blank}_from")).select_by_visible_text("Phone (dynamic_1001)")
    driver.find_element(By.NAME, f"row{blank}_trim").click()
    submit_button(driver, "Preview")
    preview = driver.find_element(By.ID, "mapping-preview").text
    check("phone" in preview and "+49" in preview, f"the preview shows a real person's phone: {preview}")
    driver.execute_script("document.getElementById('preview').scrollIntoView()")
    shot(driver, "mapping-preview")
    submit_button(driver, "Save mapping")
    check("Saved." in page_text(driver), f"the mapping was saved: {page_text(driver)[:400]}")
    workmotion = driver.current_url.split("/connections/")[1].split("?")[0]
    sync_now(driver)
    deadline = time.monotonic() + 30
    while True:  # the scheduler's run may be the one that sends it
        feed = hub_get(f"/api/v1/connections/{workmotion}/people?limit=1000")
        phones = [item["fields"].get("phone", "") for item in feed["data"] if "phone" in item["changed_fields"]]
        if phones:
            break
        check(time.monotonic() < deadline, f"the feed carries the phone: {feed}")
        time.sleep(0.5)
    check(all(phone.startswith("+49") for phone in phones), f"the phone numbers as in Personio: {phones}")
    step("a custom attribute (phone) mapped by its label, previewed, and in the feed")

    # the hand-off review page (issue 8): send once, then a marker instead of the button
    driver.get(HUB + "/handoffs/new?candidate_id=cand-7&first_name=Ada&last_name=Lovelace&email=ada.lovelace%40browser.example&position=Engineer")
    check(driver.find_element(By.NAME, "first_name").get_attribute("value") == "Ada", "the review form is pre-filled")
    shot(driver, "handoff-review")
    submit_button(driver, "Send to Personio")
    marker = driver.find_element(By.ID, "handoff-marker").text
    check("Sent to Personio by Olivia Owner" in marker, f"the marker names the sender: {marker}")
    check(not [b for b in driver.find_elements(By.TAG_NAME, "button") if b.text == "Send to Personio"], "the action is gone")
    # the recruiting tool's link again: the hand-off, not the form
    driver.get(HUB + "/handoffs/new?candidate_id=cand-7&first_name=Ada&last_name=Lovelace&email=ada.lovelace%40browser.example&position=Engineer")
    check("a hire is sent only once" in page_text(driver), f"sent before, says so: {page_text(driver)[:300]}")
    check(not driver.find_elements(By.NAME, "first_name"), "no form for a candidate sent before")
    driver.get(HUB + "/handoffs")
    check("cand-7" in page_text(driver) and "sent" in page_text(driver), "the list shows the hand-off")
    step("a hand-off reviewed and sent once")

    # absences (issue 8): map a kind with the picker, a time tracker pushes one, the list shows it written
    driver.get(HUB + "/sources")
    follow(driver, "Personio (sandbox)")
    follow(driver, "Absence kinds")
    driver.find_element(By.ID, "kind0").send_keys("sickness")
    Select(driver.find_element(By.ID, "type0")).select_by_visible_text("Sick leave (days)")
    shot(driver, "absence-kinds")
    submit_button(driver, "Save mapping")
    check("Saved." in page_text(driver), "the mapping was saved")
    source_id = driver.current_url.split("/sources/")[1].split("/")[0]
    status, absence = hub_api("POST", "/api/v1/absences", {"source_id": source_id, "external_id": "tt-1", "employee_id": int(someone) + 1,
                                                           "kind": "sickness", "start_date": "2029-02-05", "end_date": "2029-02-06"})
    check(status == 201 and absence["status"] == "written", f"the absence was written: {status} {absence}")
    follow(driver, "Absences")
    check("tt-1" in page_text(driver) and "written" in page_text(driver), "the absences page lists it as written")
    shot(driver, "absences")
    step("absence kinds picked and an absence listed as written")

    # the connection's settings: a seat limit and a shorter interval
    open_connection(driver, "Clockodo")
    follow(driver, "Settings")
    Select(driver.find_element(By.NAME, "incremental_interval")).select_by_value("300")
    fill(driver, "seat_limit", "500")
    shot(driver, "settings")
    submit_button(driver, "Save settings")
    text = page_text(driver)
    check("Saved." in text, f"the settings were saved: {text[:500]}")
    seats = driver.find_element(By.XPATH, "//div[@class='card'][span='Seats']/strong").text
    check(seats.endswith("/ 500"), f"the seat limit shows on the connection ({seats})")
    step("connection settings changed")

    # a SCIM app that announces PATCH but fails it (django-scim2): the admin picks "PUT instead of PATCH"
    if SCIM_DJANGO:
        status, scim = hub_api("POST", "/api/v1/connections", {
            "source_id": source_id, "preset": "service-desk", "target": "scim", "name": "IT desk (SCIM)",
            "scim": {"base_url": SCIM_DJANGO + "/browser" + str(int(time.time())) + "/scim/v2", "token": SCIM_TOKEN}})
        check(status == 201 and scim["scim"]["compatibility_in_force"] == [], f"the SCIM connection was made: {status} {scim}")
        open_connection(driver, "IT desk (SCIM)")
        follow(driver, "Settings")
        Select(driver.find_element(By.NAME, "scim_preset")).select_by_value("put_only")
        Select(driver.find_element(By.NAME, "scim_enterprise")).select_by_value("false")
        fill(driver, "scim_page_size", "100")
        driver.execute_script("document.getElementById('scim-compatibility').scrollIntoView()")
        shot(driver, "scim-compatibility")
        submit_button(driver, "Save settings")
        text = page_text(driver)
        check("Saved." in text and "SCIM compatibility: changes sent with PUT, no enterprise extension, 100 users per page." in text,
              f"the connection says what is in force: {text[:800]}")
        no_secrets(driver)
        sync_now(driver)
        open_connection(driver, "IT desk (SCIM)")
        eventually(driver, "IT desk (SCIM)", lambda: card(driver, "Active") >= 7, "the people reached the app")
        shot(driver, "scim-connection")
        step("a SCIM app's compatibility set on the settings page, and people sent")
    else:
        print("  - no django-scim2 server (ROLLCALL_TEST_SCIM_DJANGO_URL): the SCIM settings step is skipped", flush=True)

    # Personio stops sharing the department: the values are kept, the page says why, an admin accepts it
    sandbox("PATCH", "/sandbox/credentials/survey-client", {"readable_attributes": [
        "first_name", "last_name", "email", "status", "hire_date", "termination_date", "position", "employment_type"]})
    open_connection(driver, "Clockodo")
    sync_now(driver)
    eventually(driver, "Clockodo", lambda: "Personio stopped sharing department" in page_text(driver), "the connection says what stopped")
    text = page_text(driver)
    check("the values last sent are kept" in text and "Readable employee attributes" in text, f"the notice explains and says where: {text[:800]}")
    check(card(driver, "Active") >= 7, "nobody was archived because of it")
    shot(driver, "withheld-attribute")
    driver.set_window_size(390, 844)
    shot(driver, "withheld-attribute-phone")
    driver.set_window_size(1280, 1000)
    submit_button(driver, "Accept: department no longer shared")
    check("Accepted." in page_text(driver), "accepted")
    check("Personio stopped sharing department (since" not in page_text(driver).split("Runs")[0], "the notice is gone")
    step("Personio stops sharing a field: kept, explained, accepted")

    # Honestly: a survey connection needs the department, which the credential no longer reads: blocked, explained, fixed
    driver.get(HUB + "/connections/new")
    Select(driver.find_element(By.NAME, "preset")).select_by_value("survey")
    fill(driver, "name", "Honestly")
    submit_button(driver, "Create connection")
    sync_now(driver)
    eventually(driver, "Honestly", lambda: "blocked" in page_text(driver), "the connection is blocked")
    text = page_text(driver)
    check("needs Department (department)" in text and "tick ‘Department’" in text, f"it says what and where: {text[:800]}")
    check(card(driver, "Active") == 0, "nobody was sent")
    shot(driver, "blocked-connection")
    driver.get(HUB + "/connections")
    check("blocked" in page_text(driver), "the connections list says so too")
    sandbox("PATCH", "/sandbox/credentials/survey-client", {"readable_attributes": [
        "first_name", "last_name", "email", "status", "hire_date", "termination_date", "position", "employment_type", "department"]})
    open_connection(driver, "Honestly")
    sync_now(driver)
    eventually(driver, "Honestly", lambda: card(driver, "Active") >= 7, "people arrive once the department is ticked")
    check("blocked" not in page_text(driver).split("Runs")[0], "no longer blocked")
    step("a survey connection without Department: blocked with the fix, then ticked and people arrive")

    # Back: the admin decides whom a connection is about: one department, counted live, the others leave with the reason
    honestly = driver.current_url.split("/connections/")[1].split("?")[0]
    feed = hub_get(f"/api/v1/connections/{honestly}/people?limit=1000")
    department = next(item["fields"]["department"] for item in feed["data"] if item["fields"].get("department"))
    active_before = card(driver, "Active")
    follow(driver, "Scope")
    check("people in scope" in driver.find_element(By.ID, "scope-count").text, "the page counts the people in scope live")
    Select(driver.find_element(By.NAME, "rule0_attribute")).select_by_value("department")
    fill(driver, "rule0_values", department)
    submit_button(driver, "Count people in scope")
    counted = driver.find_element(By.ID, "scope-count").text
    in_scope = int(counted.split(" of ")[0])
    check(0 < in_scope < active_before + 50 and "people in scope" in counted, f"counted for the department: {counted}")
    shot(driver, "scope")
    submit_button(driver, "Save scope")
    check("Saved." in page_text(driver) and f"scope: department is {department}" in page_text(driver), f"saved: {page_text(driver)[:600]}")
    sync_now(driver)
    eventually(driver, "Honestly", lambda: card(driver, "Active") < active_before or "Held by the deletion brake" in page_text(driver),
               "the others leave, or the brake holds them")
    if "Held by the deletion brake" in page_text(driver):
        submit_button(driver, "Release")
        sync_now(driver)
    try:
        eventually(driver, "Honestly", lambda: card(driver, "Active") < active_before, "the others left")
    except AssertionError:
        print(page_text(driver)[:3000])
        raise
    navigate(driver, driver.find_element(By.XPATH, "//tr[td[contains(., 'delete')]]//a[starts-with(@href, '/runs/')]"))
    check("out of scope: department is" in page_text(driver), f"the run says why they left: {page_text(driver)[:800]}")
    step("a connection restricted to one department: counted live, the others leave with the reason")

    driver.get(HUB + "/audit")
    text = page_text(driver)
    for action in ["user.signed_in", "source.created", "connection.created", "connection.updated", "held_batch.released", "people.approved",
                   "handoff.sent", "absence_kinds.set", "absence.created", "connection.withheld_accepted"]:
        check(action in text, f"the audit log records {action}")
    no_secrets(driver)
    shot(driver, "audit")
    step("the audit log records who did what")

    # a viewer reads but cannot change anything
    sign_out(driver)
    sign_in(driver, "viewer@browser.example", os.environ["VIEWER_PASSWORD"])
    open_connection(driver, "Clockodo")
    check(not [b for b in driver.find_elements(By.TAG_NAME, "button") if b.text in ("Sync now", "Pause", "Release")], "no buttons for a viewer")
    runs_before = len(driver.find_elements(By.CSS_SELECTOR, "a[href^='/runs/']"))
    # post the sync form anyway, with the viewer's own valid CSRF token
    connection = driver.current_url.split("?")[0]
    mark_page(driver)
    driver.execute_script("""
        const form = document.createElement('form'); form.method = 'post'; form.action = arguments[0] + '/sync';
        const token = document.querySelector('input[name=csrf]').cloneNode(); form.appendChild(token);
        document.body.appendChild(form); form.submit();""", connection)
    wait_for_next_page(driver)
    check("may not do this" in page_text(driver), "a viewer's post is refused")
    shot(driver, "viewer-forbidden")
    driver.get(connection)
    check(len(driver.find_elements(By.CSS_SELECTOR, "a[href^='/runs/']")) == runs_before, "no run was started")
    driver.get(HUB + "/sources/new")
    check("may not do this" in page_text(driver), "a viewer cannot open the wizard")
    step("a viewer cannot change anything")

    # a phone-sized screen
    driver.set_window_size(390, 844)
    open_connection(driver, "Clockodo")
    shot(driver, "connection-phone")
    driver.get(HUB + "/connections")
    wide = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    check(wide <= 0, f"the connections list fits a phone's width ({wide}px too wide)")
    shot(driver, "connections-phone")
    driver.set_window_size(1280, 1000)

    # the owner deletes the source, with its name typed: a wrong name deletes nothing
    sign_out(driver)
    sign_in(driver, "owner@browser.example", os.environ["OWNER_PASSWORD"])
    driver.get(HUB + "/sources")
    follow(driver, "Personio (sandbox)")
    fill(driver, "confirm", "Personio")
    submit_button(driver, "Delete source")
    check("The name does not match" in page_text(driver), f"a wrong name is refused: {page_text(driver)[:400]}")
    fill(driver, "confirm", "Personio (sandbox)")
    shot(driver, "delete-source")
    submit_button(driver, "Delete source")
    check("Deleted, with everything it stored about people." in page_text(driver), f"deleted: {page_text(driver)[:400]}")
    driver.get(HUB + "/connections")
    check("Clockodo" not in page_text(driver), "its connections are gone")
    step("the owner deletes the source with its name typed")

    # the operator's page: the browser's own sign-in (HTTP Basic) with the admin token
    # (without the token the browser shows its own sign-in prompt: a 401 with WWW-Authenticate, tested in HubHealthPageTests)
    sign_out(driver)
    driver.get(HUB.replace("://", f"://operator:{HUB_ADMIN}@") + "/operator")
    text = page_text(driver)
    check("Hub health" in text and "Instances running" in text, f"the operator page shows the hub's health: {text[:400]}")
    rows = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "tbody tr")]
    check(any("rollcall-" in row and "running" in row for row in rows), f"this instance is listed as running: {rows}")
    check("Due, waiting" in text and "Start lag p50 / p95" in text, "backlog and lag are shown")
    no_secrets(driver)
    shot(driver, "operator-health")
    step("the operator sees the hub's instances, backlog and lag")


if __name__ == "__main__":
    main()
