using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using FletSecret.Cipher;

namespace FletSecret;

/// <summary>
/// Completes -Iterations with Flet's two counts instead of file names. An IArgumentCompleter rather than
/// ArgumentCompletions, which Windows PowerShell 5.1 does not have.
/// </summary>
public sealed class IterationsCompleter : IArgumentCompleter
{
    private static readonly (string Text, string Tooltip)[] s_counts =
    {
        (FletSecurity.DefaultIterations.ToString(System.Globalization.CultureInfo.InvariantCulture), "Flet 0.27.5 and later (the default)"),
        ("100000", "Flet 0.1.60 to 0.27.4"),
    };

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        foreach ((string text, string tooltip) in s_counts)
        {
            if (text.StartsWith(prefix, System.StringComparison.Ordinal))
                yield return new CompletionResult(text, text, CompletionResultType.ParameterValue, $"{text} PBKDF2 iterations: {tooltip}");
        }
    }
}
