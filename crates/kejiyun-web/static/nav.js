// Phones: the main menu folds behind the 菜单 button; the tab bar at the bottom keeps the
// five things people do most. Without JavaScript the menu simply stays open.
(function () {
  var button = document.getElementById('menu-button');
  var nav = document.getElementById('site-nav');
  if (!button || !nav) return;
  document.documentElement.classList.add('js');
  button.hidden = false;
  button.addEventListener('click', function () {
    var open = nav.classList.toggle('open');
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
  });
})();
