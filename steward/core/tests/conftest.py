def pytest_configure(config):
    config.addinivalue_line(
        "markers", "translations: checks the zh-Hans message catalogue (deselect with -m 'not translations')"
    )
