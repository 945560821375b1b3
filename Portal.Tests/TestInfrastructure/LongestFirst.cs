using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("Portal.Tests.TestInfrastructure.LongestFirst", "Portal.Tests")]

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// Starts the collections that take longest first, so that no long one starts last and runs on
/// alone while the other threads are idle: the shared browser collection (its tests run one after
/// another and are the slowest there are), then each class by its number of tests, largest first.
/// </summary>
public sealed class LongestFirst : ITestCollectionOrderer
{
    /// <summary>How xunit names the collection it makes for a class without one.</summary>
    private const string ClassCollectionPrefix = "Test collection for ";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderByDescending(c => c.CollectionDefinition is not null)
            .ThenByDescending(TestCount)
            .ThenBy(c => c.DisplayName, StringComparer.Ordinal);

    private static int TestCount(ITestCollection collection)
    {
        var name = collection.DisplayName;
        if (!name.StartsWith(ClassCollectionPrefix, StringComparison.Ordinal))
        {
            return 0;
        }
        var type = typeof(LongestFirst).Assembly.GetType(name[ClassCollectionPrefix.Length..]);
        return type?.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Sum(m => m.GetCustomAttribute<FactAttribute>() is null ? 0 : Math.Max(1, m.GetCustomAttributes<DataAttribute>().Count())) ?? 0;
    }
}
