using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace SafeMigrations.Package.Tests;

/// <summary>.ci/run must run exactly the test command README.md documents.</summary>
public class CiScriptTests
{
    [Fact]
    public void Ci_script_runs_the_test_command_from_the_readme()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "README.md"));
        var section = Regex.Match(readme, @"^## Running the tests\s*$(?<body>.*?)(?=^## |\z)", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(section.Success, "README.md has no '## Running the tests' section.");
        var block = Regex.Match(section.Groups["body"].Value, @"```(?:bash|sh)?\s*\n(?<code>.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, "The 'Running the tests' section has no code block.");
        var command = Assert.Single(block.Groups["code"].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        var script = File.ReadAllLines(Path.Combine(RepositoryLayout.Root, ".ci", "run")).Select(l => l.Trim());
        Assert.Contains(script, l => l == command || l.StartsWith(command + " ", StringComparison.Ordinal) || l.EndsWith(" " + command, StringComparison.Ordinal));
    }
}
