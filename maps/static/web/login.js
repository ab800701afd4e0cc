// The login form: signs in with the OAuth2 password flow, then goes where it was sent from
// (else reviewers to the field page, other staff to the workspace).
(function () {
  "use strict";
  var api = window.sijieApi;
  var form = document.getElementById("login");
  var error = document.getElementById("login-error");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.hidden = true;
    api.signIn(form.username.value, form.password.value).then(function (me) {
      // department reviewers work in the field (/field); everyone else in the workspace
      var home = me.role === "reviewer" ? "/field" : "/workspace";
      var next = new URLSearchParams(location.search).get("next") || home;
      location.href = next.charAt(0) === "/" && next.charAt(1) !== "/" ? next : home;
    }).catch(function (e) {
      error.textContent = e.message || api.msg("js_login_failed");
      error.hidden = false;
    });
  });
}());
