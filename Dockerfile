# The playground as one container: docker build -t backprop-playground . &&
# docker run --rm -p 8501:8501 backprop-playground   (then open http://<host>:8501)
# Not built or tested on the development machine (it has no Docker engine); see docs/deploy.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

# Streamlit reads .streamlit/config.toml from the working directory, so run from /app.
COPY . .
RUN useradd --create-home playground
USER playground

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"
CMD ["streamlit", "run", "backprop_playground.py", "--server.address=0.0.0.0", "--server.port=8501", "--server.headless=true", "--browser.gatherUsageStats=false"]
