def test_dashboard_redirects_anonymous_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_supervisor_sees_dashboard(client_for, supervisor):
    response = client_for(supervisor).get("/")
    assert response.status_code == 200
