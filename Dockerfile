# Backprop Studio as a container image: the same apt and pip steps as ./dev.sh app.
# Build: docker build -t backprop-studio .
# Run:   docker run -p 8501:8501 backprop-studio
# Many replicas behind one proxy: see deploy/README.md (sticky sessions are required).
FROM python:3.11-slim-bookworm

# apt: what packages.txt lists (Community Cloud reads that file; dev.sh installs the same)
COPY packages.txt /tmp/packages.txt
RUN apt-get update -q \
 && xargs -a /tmp/packages.txt env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# pip: the pinned runtime requirements (CPU-only torch from the index they name)
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# No network at run time; one intra-op thread per process (workers are processes).
ENV OMP_NUM_THREADS=1 STREAMLIT_BROWSER_GATHER_USAGE_STATS=false
EXPOSE 8501
HEALTHCHECK CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=3)"
CMD ["python", "-m", "streamlit", "run", "app.py", "--server.port=8501", \
     "--server.address=0.0.0.0", "--server.headless=true"]
