using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace SafeMigrations.Package.Tests;

/// <summary>Copies of the restored consumer, each changed by a test and built on its own.</summary>
public sealed partial class PackageFixture
{
    /// <summary>
    /// Copies the already restored consumer to <c>consumer-<paramref name="name"/></c>, lets <paramref name="change"/>
    /// edit the copy (its directory), and builds it with <paramref name="properties"/> (e.g. <c>-p:X=y</c>).
    /// </summary>
    public DotNetCli.Result BuildConsumerVariant(string name, Action<string> change, params string[] properties)
    {
        EnsureConsumerBuilt();
        var directory = Path.Combine(Root, "consumer-" + name);
        // obj/ comes along: the copy builds from the consumer's restore.
        RepositoryLayout.CopyTree(ConsumerDirectory, directory, includeObj: true);
        change(directory);

        return DotNetCli.Run(
            directory,
            new Dictionary<string, string?> { ["NUGET_PACKAGES"] = ConsumerPackagesFolder },
            TimeSpan.FromMinutes(8),
            new[] { "build", "Consumer.csproj", "-c", "Debug", "--no-incremental", "-nodeReuse:false", "-p:UseSharedCompilation=false", "-tl:off", "-clp:NoSummary" }.Concat(properties).ToArray());
    }
}
