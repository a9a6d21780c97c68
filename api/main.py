"""The application object for uvicorn (`citymodel serve`): settings from the environment."""

from api.app import create_app

app = create_app()
