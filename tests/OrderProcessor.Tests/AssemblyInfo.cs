// A new fixture instance per test: fields such as mocks and captured logs are never shared between tests.
[assembly: FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
