// The login form: signs in with the OAuth2 password flow, then goes where it was sent from.
(function () {
  "use strict";
  var api = window.sijieApi;
  var form = document.getElementById("login");
  var error = document.getElementById("login-error");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.hidden = true;
    api.signIn(form.username.value, form.password.value).then(function () {
      var next = new URLSearchParams(location.search).get("next") || "/workspace";
      location.href = next.charAt(0) === "/" && next.charAt(1) !== "/" ? next : "/workspace";
    }).catch(function (e) {
      error.textContent = e.message || api.msg("js_login_failed");
      error.hidden = false;
    });
  });
}());
