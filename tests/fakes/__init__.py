"""Local fakes of outside services, started on 127.0.0.1 by integration tests."""
