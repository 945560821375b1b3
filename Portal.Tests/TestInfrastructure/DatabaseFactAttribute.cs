using Xunit.Abstractions;
using Xunit.Sdk;

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// Marks a test class as the PostgreSQL variant of a test class (derived from it, same tests), or as
/// tests that need PostgreSQL only: its <see cref="DatabaseFactAttribute"/> and
/// <see cref="DatabaseTheoryAttribute"/> tests are skipped when no PostgreSQL server is configured
/// (see <see cref="PostgresTestServer.SkipReason"/>).
/// </summary>
public interface IPostgresVariant;

/// <summary>A fact that runs on every database provider the test class is derived for.</summary>
[XunitTestCaseDiscoverer("Portal.Tests.TestInfrastructure.DatabaseFactDiscoverer", "Portal.Tests")]
public sealed class DatabaseFactAttribute : FactAttribute;

/// <summary>A theory that runs on every database provider the test class is derived for.</summary>
[XunitTestCaseDiscoverer("Portal.Tests.TestInfrastructure.DatabaseTheoryDiscoverer", "Portal.Tests")]
public sealed class DatabaseTheoryAttribute : TheoryAttribute;

public sealed class DatabaseFactDiscoverer(IMessageSink diagnostics) : FactDiscoverer(diagnostics)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        PostgresSkip.Reason(testMethod) is { } reason
            ? [new SkippedTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)]
            : base.Discover(discoveryOptions, testMethod, factAttribute);
}

public sealed class DatabaseTheoryDiscoverer(IMessageSink diagnostics) : TheoryDiscoverer(diagnostics)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute) =>
        PostgresSkip.Reason(testMethod) is { } reason
            ? [new SkippedTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)]
            : base.Discover(discoveryOptions, testMethod, theoryAttribute);
}

internal static class PostgresSkip
{
    public static string? Reason(ITestMethod testMethod) =>
        typeof(IPostgresVariant).IsAssignableFrom(testMethod.TestClass.Class.ToRuntimeType()) ? PostgresTestServer.SkipReason : null;
}

/// <summary>A test reported as skipped, with the reason found at discovery.</summary>
public sealed class SkippedTestCase : XunitTestCase
{
    private string _reason = "";

    [Obsolete("Called by the de-serializer only.")]
    public SkippedTestCase()
    {
    }

    public SkippedTestCase(IMessageSink diagnostics, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod testMethod, string reason)
        : base(diagnostics, display, options, testMethod)
    {
        _reason = reason;
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute) => _reason;

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("SkipReason", _reason);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        _reason = data.GetValue<string>("SkipReason");
        base.Deserialize(data);
    }
}
