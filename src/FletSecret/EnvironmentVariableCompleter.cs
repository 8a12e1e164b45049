using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace FletSecret;

/// <summary>Completes -KeyEnvironmentVariable with the names (never the values) of the environment variables.</summary>
public sealed class EnvironmentVariableCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        return Environment.GetEnvironmentVariables().Keys
            .Cast<object>()
            .Select(name => name.ToString()!)
            .Where(name => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .OrderBy(name => name, StringComparer.OrdinalIgnoreCase)
            .Select(name => new CompletionResult(name, name, CompletionResultType.ParameterValue, name));
    }
}
