// The login form posts to /login without script; this only shows why we came back here.
const failed = new URLSearchParams(location.search).has('failed');
document.getElementById('login-error').hidden = !failed;
