from conftest import PASSWORD


def test_login_page_renders(client, db):
    response = client.get("/login/")
    assert response.status_code == 200 and "Sign in" in response.content.decode()


def test_login_then_logout_by_post(client, coordinator_a):
    response = client.post("/login/", {"username": "coord-a", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code in (200, 302)
    response = client.post("/logout/")
    assert response.status_code == 302 and response.url == "/login/"
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused(client, coordinator_a):
    response = client.post("/login/", {"username": "coord-a", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_pages_name_the_icon_and_it_is_served_without_login(client, db):
    html = client.get("/login/").content.decode()
    assert '<link rel="icon" href="/static/web/icon.svg" type="image/svg+xml">' in html

    icon = client.get("/static/web/icon.svg")

    assert icon.status_code == 200
    assert icon["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(icon.streaming_content)
