"""`python -m lessons`: list the lessons, the article's in its order, then those beyond it."""
from lessons import LESSONS, beyond_the_article, header


def main():
    """Print each lesson's name, description and expected result, under the article's lessons or beyond it."""
    print("The article's lessons, in its order. Run one with: python -m lessons.<name> (add --help for its flags)\n")
    beyond = False
    for number, name in enumerate(LESSONS, start=1):
        fields = header(name)
        if beyond_the_article(name) and not beyond:
            print("Beyond the article:\n")
            beyond = True
        print(f"{number}. {name} -- {fields['Title']}")
        print(f"   {fields['Description']}")
        print(f"   Expected: {fields['Expected']}\n")
    print("Exercises for each lesson, checked automatically: python -m lessons.exercises")


if __name__ == "__main__":
    main()
