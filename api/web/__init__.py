"""The service's web pages: server-rendered Jinja2 templates on one shared frame
(``templates/base.html``), their messages from the catalogue, their scripts and styles from
the shipped static folder (:func:`maps.static_dir`, served at ``/static``)."""
