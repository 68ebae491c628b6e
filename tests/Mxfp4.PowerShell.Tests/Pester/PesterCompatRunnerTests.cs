using Xunit;

namespace Mxfp4.PowerShell.Tests.Pester;

/// <summary>
/// Deliberately failing and malformed Pester files: the runner must report each as a failure with Pester 5's
/// message, so it cannot pass everything silently.
/// </summary>
public sealed class PesterCompatRunnerTests
{
    [Fact]
    public void A_failing_Should_Be_fails_the_It_with_message_and_position()
    {
        var result = PesterCompatRunner.RunText("""
            Describe 'D' {
                It 'fails' {
                    1 | Should -Be 2
                }
                It 'passes' { 1 | Should -Be 1 }
            }
            """);

        var failed = Single(result, "D > fails");
        Assert.Equal(PesterOutcome.Failed, failed.Outcome);
        Assert.Equal("Expected 2, but got 1.", failed.Message);
        Assert.Contains("Snippet.Tests.ps1:3", failed.Position, StringComparison.Ordinal);
        Assert.StartsWith("PesterAssertionFailed", failed.ErrorId, StringComparison.Ordinal);
        Assert.Equal(PesterOutcome.Passed, Single(result, "D > passes").Outcome);
    }

    [Theory]
    [InlineData("'a' | Should -Be 'b'", "Expected strings to be the same, but they were different.")]
    [InlineData("@(1, 2) | Should -Be @(1, 3)", "Expected @(1, 3), but got @(1, 2).")]
    [InlineData("'ABC' | Should -BeExactly 'abc'", "Expected strings to be the same, but they were different.")]
    [InlineData("'x' | Should -BeNullOrEmpty", "Expected $null or empty, but got 'x'.")]
    [InlineData("$null | Should -Not -BeNullOrEmpty", "Expected a value, but got $null or empty.")]
    [InlineData("$false | Should -BeTrue", "Expected $true, but got $false.")]
    [InlineData("1 | Should -BeGreaterThan 2", "Expected the actual value to be greater than 2, but got 1.")]
    [InlineData("3 | Should -Not -BeLessThan 4", "Expected the actual value to be greater than or equal to 4, but got 3.")]
    [InlineData("'abc' | Should -BeLike 'x*'", "Expected like wildcard 'x*' to match 'abc', but it did not match.")]
    [InlineData("'abc' | Should -Match '^b'", "Expected regular expression '^b' to match 'abc', but it did not match.")]
    [InlineData("@(1, 2) | Should -Contain 3", "Expected 3 to be found in collection @(1, 2), but it was not found.")]
    [InlineData("3 | Should -BeIn @(1, 2)", "Expected collection @(1, 2) to contain 3, but it was not found.")]
    [InlineData("@(1, 2) | Should -HaveCount 3", "Expected a collection with size 3, but got collection with size 2 @(1, 2).")]
    [InlineData("'x' | Should -BeOfType [int]", "Expected the value to have type [int] or any of its subtypes, but got 'x' with type [string].")]
    [InlineData("'/no/such/path' | Should -Exist", "Expected path '/no/such/path' to exist, but it did not exist.")]
    [InlineData("{ } | Should -Throw", "Expected an exception to be thrown, but no exception was thrown.")]
    [InlineData("@(1, 2) | Should -BeLessThan 2", "Expected the actual value to be less than 2, but got 2.")]
    [InlineData("1 | Should -Be 2 -Because 'reasons'", "Expected 2, because reasons, but got 1.")]
    public void Failing_assertions_report_Pester_messages(string assertion, string expectedMessage)
    {
        var result = PesterCompatRunner.RunText($$"""
            Describe 'D' {
                It 'asserts' {
                    {{assertion}}
                }
            }
            """);

        var test = Single(result, "D > asserts");
        Assert.Equal(PesterOutcome.Failed, test.Outcome);
        Assert.StartsWith(expectedMessage, test.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Throw_with_a_wrong_ErrorId_fails_and_names_both_ids()
    {
        var result = PesterCompatRunner.RunText("""
            Describe 'D' {
                It 'checks the id' {
                    { Import-Module no-such-module-anywhere -ErrorAction Stop } | Should -Throw -ErrorId 'SomethingElse'
                }
                It 'needs the whole id, as Pester 5 matches with -like' {
                    { Import-Module no-such-module-anywhere -ErrorAction Stop } | Should -Throw -ErrorId 'Modules_ModuleNotFound'
                }
            }
            """);

        var wrong = Single(result, "D > checks the id");
        Assert.Equal(PesterOutcome.Failed, wrong.Outcome);
        Assert.StartsWith(
            "Expected an exception with FullyQualifiedErrorId 'SomethingElse' to be thrown, but the FullyQualifiedErrorId was 'Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand'.",
            wrong.Message,
            StringComparison.Ordinal);
        Assert.Equal(PesterOutcome.Failed, Single(result, "D > needs the whole id, as Pester 5 matches with -like").Outcome);
    }

    [Fact]
    public void Throw_with_a_wrong_message_or_type_fails()
    {
        var result = PesterCompatRunner.RunText("""
            Describe 'D' {
                It 'message' { { throw 'actual' } | Should -Throw -ExpectedMessage 'expected*' }
                It 'type' { { throw 'actual' } | Should -Throw -ExceptionType ([System.IO.IOException]) }
            }
            """);

        Assert.StartsWith("Expected an exception with message like 'expected*' to be thrown, but the message was 'actual'.", Single(result, "D > message").Message, StringComparison.Ordinal);
        Assert.StartsWith("Expected an exception with type [System.IO.IOException] to be thrown, but the exception type was [System.Management.Automation.RuntimeException].", Single(result, "D > type").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_Not_Throw_fails_when_the_block_throws()
    {
        var result = PesterCompatRunner.RunText("""
            Describe 'D' {
                It 'throws' { { throw 'boom' } | Should -Not -Throw }
            }
            """);

        var test = Single(result, "D > throws");
        Assert.Equal(PesterOutcome.Failed, test.Outcome);
        Assert.StartsWith("Expected no exception to be thrown, but an exception \"boom\" was thrown from ", test.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_error_in_BeforeAll_fails_every_test_of_the_block_and_runs_none()
    {
        var result = PesterCompatRunner.RunText("""
            Describe 'D' {
                BeforeAll { throw 'setup broke' }
                It 'one' { $true | Should -BeTrue }
                Context 'C' {
                    It 'two' { $true | Should -BeTrue }
                }
            }
            Describe 'Other' {
                It 'still runs' { $true | Should -BeTrue }
            }
            """);

        foreach (var name in new[] { "D > one", "D > C > two" })
        {
            var test = Single(result, name);
            Assert.Equal(PesterOutcome.Failed, test.Outcome);
            Assert.Equal("BeforeAll failed: setup broke", test.Message);
        }

        Assert.Equal(PesterOutcome.Passed, Single(result, "Other > still runs").Outcome);
    }

    [Fact]
    public void An_error_in_AfterAll_is_a_container_error()
    {
        var result = PesterCompatRunner.RunText("""
            Describe 'D' {
                AfterAll { throw 'teardown broke' }
                It 'one' { $true | Should -BeTrue }
            }
            """);

        Assert.Equal(PesterOutcome.Passed, result.Find("D > one")?.Outcome);
        Assert.Contains(result.ContainerErrors, error => error.StartsWith("AfterAll in 'D' failed: teardown broke", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("It 'alone' { 1 | Should -Be 1 }", "outside any Describe or Context")]
    [InlineData("Describe 'D' { throw 'discovery broke' }", "discovery broke")]
    [InlineData("Describe 'D'\n{\n It 'x' { }\n}", "No test script block is provided")]
    [InlineData("Describe 'D' { It 'x' { } -Bogus }", "A parameter cannot be found that matches parameter name 'Bogus'")]
    public void Files_Pester_5_rejects_fail_discovery(string content, string expectedError)
    {
        var result = PesterCompatRunner.RunText(content);

        Assert.Empty(result.Tests);
        var error = Assert.Single(result.ContainerErrors);
        Assert.StartsWith("Discovery in '<file>' failed:", error, StringComparison.Ordinal);
        Assert.Contains(expectedError, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1 | Should -Equal 1", "A parameter cannot be found that matches parameter name 'Equal'")]
    [InlineData("1 | Should Be 1", "A positional parameter cannot be found")]
    [InlineData("1 | Should -Be 1 -BeExactly", "exactly one operator")]
    [InlineData("1 | Should -Be 1 -ErrorId 'x'", "belongs to Should -Throw")]
    [InlineData("'x' | Should -BeNullOrEmpty 'y'", "takes no expected value")]
    [InlineData("Describe 'Inner' { }", "only collected during discovery")]
    [InlineData("BeforeAll { }", "only collected during discovery")]
    public void Invalid_use_inside_an_It_fails_the_It(string body, string expectedMessage)
    {
        var result = PesterCompatRunner.RunText($$"""
            Describe 'D' {
                It 'misuses' {
                    {{body}}
                }
            }
            """);

        var test = Single(result, "D > misuses");
        Assert.Equal(PesterOutcome.Failed, test.Outcome);
        Assert.Contains(expectedMessage, test.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForEach_expands_names_from_item_keys_and_parent_data()
    {
        var result = PesterCompatRunner.RunText("""
            Describe 'Tensor <Name>' -ForEach @(@{ Name = 'a'; Size = 1 }, @{ Name = 'b'; Size = 2 }) {
                Context 'format <_>' -ForEach 'F32', 'BF16' {
                    It '<Name> as <_> has size <Size>' { $Size | Should -BeGreaterThan 0 }
                }
                It 'case <Value> of <Name>' -TestCases @(@{ Value = 7 }) { $Value | Should -Be 7 }
                It 'plain <Missing> name' { }
            }
            """);

        Assert.Equal(
            [
                "Tensor a > format F32 > a as F32 has size 1",
                "Tensor a > format BF16 > a as BF16 has size 1",
                "Tensor a > case 7 of a",
                "Tensor a > plain  name",
                "Tensor b > format F32 > b as F32 has size 2",
                "Tensor b > format BF16 > b as BF16 has size 2",
                "Tensor b > case 7 of b",
                "Tensor b > plain  name",
            ],
            result.Tests.Select(test => test.Name));
        Assert.All(result.Tests, test => Assert.Equal(PesterOutcome.Passed, test.Outcome));
    }

    [Fact]
    public void Names_without_data_are_not_expanded_and_repeats_are_numbered()
    {
        var result = PesterCompatRunner.RunText("""
            Describe 'D' {
                It 'keeps <this>' { }
                It 'same' { }
                It 'same' { throw 'second' }
            }
            """);

        Assert.Equal(["D > keeps <this>", "D > same", "D > same #2"], result.Tests.Select(test => test.Name));
        Assert.Equal(PesterOutcome.Failed, Single(result, "D > same #2").Outcome);
    }

    [Fact]
    public void Skips_are_reported_as_skipped_not_passed()
    {
        var result = PesterCompatRunner.RunText("""
            Describe 'D' {
                It 'skip switch' -Skip { throw 'ran' }
                It 'set result' { Set-ItResult -Skipped -Because 'why'; throw 'ran' }
            }
            """);

        Assert.Equal(PesterOutcome.Skipped, Single(result, "D > skip switch").Outcome);
        var setResult = Single(result, "D > set result");
        Assert.Equal(PesterOutcome.Skipped, setResult.Outcome);
        Assert.Equal("is skipped, because why", setResult.Message);
    }

    [Fact]
    public void A_runtime_error_in_an_It_fails_it_with_the_error_and_a_stack_from_the_test_file_only()
    {
        var result = PesterCompatRunner.RunText("""
            Describe 'D' {
                It 'errs' { [int]::Parse('nope') }
            }
            """);

        var test = Single(result, "D > errs");
        Assert.Equal(PesterOutcome.Failed, test.Outcome);
        Assert.Contains("nope", test.Message, StringComparison.Ordinal);
        Assert.Contains("Snippet.Tests.ps1: line 2", test.ScriptStackTrace, StringComparison.Ordinal);
        Assert.DoesNotContain("PesterCompat.psm1", test.ScriptStackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public void The_staged_module_is_imported_in_the_test_runspace()
    {
        var result = PesterCompatRunner.RunText("""
            Describe 'D' {
                It 'has Mxfp4' { (Get-Module Mxfp4).Name | Should -Be 'Mxfp4' }
            }
            """);

        Assert.Equal(PesterOutcome.Passed, Single(result, "D > has Mxfp4").Outcome);
    }

    private static PesterTestResult Single(PesterContainerResult result, string name)
    {
        Assert.True(result.ContainerErrors.Count == 0, string.Join(Environment.NewLine, result.ContainerErrors));
        var test = result.Find(name);
        Assert.True(test is not null, $"No test '{name}' among: {string.Join(" | ", result.Tests.Select(t => t.Name))}");
        return test;
    }
}
