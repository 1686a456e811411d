"""`python -m lessons`: list the lessons in the article's order."""
from lessons import LESSONS, header


def main():
    """Print each lesson's name, description and expected result."""
    print("The article's lessons, in order. Run one with: python -m lessons.<name> (add --help for its flags)\n")
    for number, name in enumerate(LESSONS, start=1):
        fields = header(name)
        print(f"{number}. {name} -- {fields['Title']}")
        print(f"   {fields['Description']}")
        print(f"   Expected: {fields['Expected']}\n")
    print("Exercises for each lesson, checked automatically: python -m lessons.exercises")


if __name__ == "__main__":
    main()
